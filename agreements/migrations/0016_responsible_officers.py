"""Responsible officers for agreements and milestones: who gets the reminders.

Nullable columns with their index built concurrently on PostgreSQL, so that
adding them to a million milestones does not stop anyone saving.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from agreements.migration_operations import AddNullableForeignKey


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ('agreements', '0015_agreements_undated_last'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddNullableForeignKey(
            model_name='agreement',
            name='responsible_officer',
            field=models.ForeignKey(blank=True, help_text='The staff member who follows this agreement up and gets its reminders.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='agreements_responsible_for', to=settings.AUTH_USER_MODEL, verbose_name='responsible officer'),
        ),
        AddNullableForeignKey(
            model_name='historicalagreement',
            name='responsible_officer',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The staff member who follows this agreement up and gets its reminders.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='responsible officer'),
        ),
        AddNullableForeignKey(
            model_name='historicalmilestone',
            name='responsible_officer',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text="Leave empty when the agreement's responsible officer follows it.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='responsible officer'),
        ),
        AddNullableForeignKey(
            model_name='milestone',
            name='responsible_officer',
            field=models.ForeignKey(blank=True, help_text="Leave empty when the agreement's responsible officer follows it.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='milestones_responsible_for', to=settings.AUTH_USER_MODEL, verbose_name='responsible officer'),
        ),
    ]
