from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import NotificationSettings


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["frequency", "scope", "language"]
        widgets = {
            "frequency": forms.RadioSelect,
            "scope": forms.RadioSelect,
        }
        error_messages = {
            "frequency": {"invalid_choice": _("Choose how often you want reminder e-mails.")},
            "scope": {"invalid_choice": _("Choose which agreements the e-mails are about.")},
            "language": {"invalid_choice": _("Choose one of the four languages.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("The language I last used here"))] + [
            choice for choice in self.fields["language"].choices if choice[0]
        ]
