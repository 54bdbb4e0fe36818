from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "findings"
    verbose_name = "WPSR 2023 content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from simple_history.signals import pre_create_historical_record
        from taggit.models import TaggedItem

        from . import models, search
        from .history import record_tag_change, record_tags

        pre_create_historical_record.connect(record_tags, dispatch_uid="findings-record-tags")
        m2m_changed.connect(record_tag_change, sender=TaggedItem, dispatch_uid="findings-record-tag-change")

        # The search index follows every save, delete and relation change of content.
        for model in (models.Chapter, models.Contribution, models.Topic, models.Finding, models.Suggestion,
                      models.Dimension, models.Author):
            post_save.connect(search.reindex_saved, sender=model, dispatch_uid=f"findings-index-{model.__name__}")
            post_delete.connect(search.unindex_deleted, sender=model, dispatch_uid=f"findings-unindex-{model.__name__}")
        for through in (TaggedItem, models.Contribution.authors.through, models.Contribution.related_topics.through,
                        models.Suggestion.related_topics.through):
            m2m_changed.connect(search.reindex_related_change, sender=through, dispatch_uid=f"findings-index-{through.__name__}")
