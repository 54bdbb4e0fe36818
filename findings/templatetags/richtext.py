from django import template

from findings.richtext import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Render a summary or note written in Markdown, sanitised."""
    return render_markdown(text)
