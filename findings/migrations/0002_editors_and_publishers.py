"""Create the Editors and Publishers groups with their permissions (README: roles)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_MODELS = [
    "source", "report", "reportfact", "meeting", "institutionaltask", "slide", "chapter",
    "dimension", "author", "contribution", "topic", "finding", "suggestion",
]


def _codenames(role):
    codenames = []
    for model in CONTENT_MODELS:
        codenames += [f"view_{model}", f"add_{model}", f"change_{model}"]
        if role == "Publishers":
            codenames += [f"delete_{model}", f"publish_{model}"]
    # Tags are edited with the content; the vocabulary itself stays with Publishers.
    codenames += ["view_tag", "add_tag"] + (["change_tag", "delete_tag"] if role == "Publishers" else [])
    return codenames


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations run; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ("Editors", "Publishers"):
        group, _ = Group.objects.get_or_create(name=role)
        wanted = _codenames(role)
        permissions = Permission.objects.filter(
            content_type__app_label__in=["findings", "taggit"], codename__in=wanted
        )
        missing = set(wanted) - set(permissions.values_list("codename", flat=True))
        assert not missing, f"permissions not found: {sorted(missing)}"
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Publishers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("findings", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
