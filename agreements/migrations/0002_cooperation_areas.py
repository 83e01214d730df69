from django.db import migrations

# The five fields our users work in; staff may add more in the admin.
AREAS = [
    ("ICT", "ict", "Information and communications technology: networks, platforms and digital public services."),
    ("Cybersecurity", "cybersecurity", "Protecting government systems, data and citizens online."),
    ("AI regulation", "ai-regulation", "Rules, methods and safeguards for the public use of artificial intelligence."),
    ("Data management", "data-management", "Governance, sharing and analysis of public-sector data, including big data."),
    ("GovTech", "govtech", "Technology for government, and companies and start-ups building it."),
]


def create_areas(apps, schema_editor):
    CooperationArea = apps.get_model("agreements", "CooperationArea")
    for name, slug, description in AREAS:
        CooperationArea.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )


def remove_areas(apps, schema_editor):
    CooperationArea = apps.get_model("agreements", "CooperationArea")
    CooperationArea.objects.filter(
        slug__in=[slug for _, slug, _ in AREAS], agreements=None, milestones=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]
    operations = [migrations.RunPython(create_areas, remove_areas)]
