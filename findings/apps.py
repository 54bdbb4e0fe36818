from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "findings"
    verbose_name = "WPSR 2023 content"
    default_auto_field = "django.db.models.BigAutoField"
