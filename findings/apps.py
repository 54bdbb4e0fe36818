from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "findings"
    verbose_name = "WPSR 2023 content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_save, pre_save
        from simple_history.signals import pre_create_historical_record
        from taggit.models import Tag, TaggedItem

        from . import cache, redirects
        from .history import record_tag_change, record_tag_rename, record_tags, tag_renaming
        from .models import Curated
        from .richtext import strip_bidi_controls_before_save
        from .search import index
        from .tags import give_every_tag_a_slug

        pre_create_historical_record.connect(record_tags, dispatch_uid="findings-record-tags")
        m2m_changed.connect(record_tag_change, sender=TaggedItem, dispatch_uid="findings-record-tag-change")
        for model in [*(model for model in self.get_models() if issubclass(model, Curated)), Tag]:
            uid = f"findings-strip-bidi-{model._meta.label}"
            pre_save.connect(strip_bidi_controls_before_save, sender=model, dispatch_uid=uid)
        index.connect_signals()
        cache.connect_signals()
        redirects.connect_signals()
        pre_save.connect(give_every_tag_a_slug, sender=Tag, dispatch_uid="findings-tag-slug")
        pre_save.connect(tag_renaming, sender=Tag, dispatch_uid="findings-tag-renaming")
        post_save.connect(record_tag_rename, sender=Tag, dispatch_uid="findings-tag-renamed")
