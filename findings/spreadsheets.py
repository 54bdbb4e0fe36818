"""The file formats of the admin's import and export, made for spreadsheets.

No cell is ever a formula: CSV starts a formula-like cell with a quote (which reading the file
back removes) and XLSX writes such text as text. CSV starts with a byte-order mark so that Excel
reads its accents, and a CSV file Excel saved in Windows-1252 is read too. A file that cannot be
read says why, for the import form.
"""
import csv
import io
import re

import tablib
from django.utils.translation import gettext
from import_export import results
from import_export.formats import base_formats

from .exports import BYTE_ORDER_MARK, from_spreadsheet_text, looks_like_formula, spreadsheet_text


class ImportFileError(ValueError):
    """A file that cannot be read at all; the message says why, for the import form."""


class FileError(results.Error):
    """What is wrong with a whole file, as the import page lists it: a message, no traceback."""

    traceback = ""

    def __init__(self, message):
        super().__init__(ImportFileError(message))


class SafeCSV(base_formats.CSV):
    """CSV that spreadsheets open as text: a cell that would be a formula starts with a quote,
    which reading the file back removes. Read as UTF-8 (with or without a byte-order mark),
    else as Windows-1252, the encoding of Excel's "CSV (Comma delimited)"."""

    def is_binary(self):
        # The admin then hands over bytes, which create_dataset decodes itself.
        return True

    def get_read_mode(self):
        return "rb"

    def export_data(self, dataset, **kwargs):
        output = io.StringIO()
        output.write(BYTE_ORDER_MARK)
        writer = csv.writer(output)
        writer.writerow([spreadsheet_text(name) for name in dataset.headers])
        writer.writerows([spreadsheet_text(value) for value in row] for row in dataset)
        return output.getvalue()

    def create_dataset(self, in_stream):
        text, encoding = _decoded(in_stream)
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            dataset = tablib.Dataset(headers=[from_spreadsheet_text(name).strip() for name in next(reader, [])])
            for row in reader:
                if any(row):
                    dataset.append(_padded(row, dataset.width, reader.line_num))
        except csv.Error as error:
            raise ImportFileError(
                gettext("Line %(line)s of the file is not valid CSV: %(error)s.")
                % {"line": reader.line_num, "error": error}
            ) from None
        dataset.encoding = encoding
        return dataset


def _decoded(data):
    """(text, encoding) of an uploaded file."""
    if isinstance(data, str):
        return data, "utf-8"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise ImportFileError(
            gettext(
                "The file is neither UTF-8 nor Windows-1252 text. Save it from your spreadsheet as "
                "“CSV UTF-8 (comma delimited)” and import it again."
            )
        ) from None


def _padded(row, width, line):
    """A CSV row as wide as the header: short rows end in empty cells; empty cells past the
    header (spreadsheets often add them) are dropped, any other is an error."""
    if len(row) > width:
        if any(row[width:]):
            raise ImportFileError(
                gettext(
                    "Line %(line)s of the file has %(cells)s cells, but its first line names only %(width)s columns."
                )
                % {"line": line, "cells": len(row), "width": width}
            )
        row = row[:width]
    return [from_spreadsheet_text(value) for value in row] + [""] * (width - len(row))


class SafeXLSX(base_formats.XLSX):
    """XLSX whose text cells are text: `=HYPERLINK(…)` typed in a title is written as those
    characters, never as a formula (and marked to stay text when edited in Excel)."""

    def export_data(self, dataset, **kwargs):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
        from openpyxl.utils.exceptions import IllegalCharacterError

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=(dataset.title or "Export")[:31])
        sheet.freeze_panes = "A2"
        # Columns as wide as their first rows need, within reason (the whole sheet would cost a pass).
        for number, column in enumerate(zip(dataset.headers, *dataset[:200], strict=False), start=1):
            width = max(len(str(value)) for value in column if value is not None)
            sheet.column_dimensions[get_column_letter(number)].width = min(max(width, 8), 60)

        def text(value, font=None):
            written = WriteOnlyCell(sheet, value=_escape_carriage_returns(value))
            written.data_type = "s"  # openpyxl takes text that starts with "=" for a formula
            written.quotePrefix = looks_like_formula(value)  # and Excel would, once the cell is edited
            if font:
                written.font = font
            return written

        bold = Font(bold=True)
        try:
            sheet.append([text(name, bold) for name in dataset.headers])
            for row in dataset:
                # Other values as they are: numbers and dates stay so, and openpyxl writes them faster.
                sheet.append([text(value) if _needs_text_cell(value) else value for value in row])
        except IllegalCharacterError:
            raise ValueError(
                "A cell holds a control character that XLSX files cannot store: export as CSV instead."
            ) from None
        output = io.BytesIO()
        workbook.save(output)
        return output.getvalue()

    def create_dataset(self, in_stream):
        try:
            dataset = super().create_dataset(in_stream)
        except Exception:  # a damaged or different file: zipfile, XML and openpyxl errors alike
            raise ImportFileError(
                gettext("The file could not be read as an Excel workbook (.xlsx). Choose the format it was saved in.")
            ) from None
        if any(isinstance(value, str) and ESCAPED_CARRIAGE_RETURN.search(value) for row in dataset for value in row):
            rows = [[_unescape_carriage_returns(value) for value in row] for row in dataset]
            dataset = tablib.Dataset(*rows, headers=dataset.headers, title=dataset.title)
        return dataset


# A sheet's XML cannot keep a carriage return: a reader turns it into a line feed. Excel writes
# it as this escape (and reads it back), so "\r\n" line ends and a leading "\r" come back as typed.
ESCAPED_CARRIAGE_RETURN = re.compile("_x000D_", re.IGNORECASE)


def _escape_carriage_returns(value):
    return value.replace("\r", "_x000D_") if isinstance(value, str) else value


def _unescape_carriage_returns(value):
    return ESCAPED_CARRIAGE_RETURN.sub("\r", value) if isinstance(value, str) else value


def _needs_text_cell(value):
    return looks_like_formula(value) or (isinstance(value, str) and "\r" in value)
