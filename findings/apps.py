from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "findings"
    verbose_name = "WPSR 2023 content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import m2m_changed
        from simple_history.signals import pre_create_historical_record
        from taggit.models import TaggedItem

        from .history import record_tag_change, record_tags
        from .search import index

        pre_create_historical_record.connect(record_tags, dispatch_uid="findings-record-tags")
        m2m_changed.connect(record_tag_change, sender=TaggedItem, dispatch_uid="findings-record-tag-change")
        index.connect_signals()
