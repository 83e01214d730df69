from django import forms
from django.utils.translation import gettext_lazy as _

# What a wrong filter says, in our words: what to do, not what the code checked.
FIELD_MESSAGES = {
    # ModelChoiceField is a ChoiceField too.
    forms.ChoiceField: {"invalid_choice": _("Choose one of the options in the list.")},
    forms.DateField: {"invalid": _("Enter a date as year-month-day, for example 2025-10-03.")},
    forms.DecimalField: {
        "invalid": _("Enter a whole number, for example 30."),
        "min_value": _("Enter %(limit_value)s or more."),
        "max_value": _("Enter %(limit_value)s or less."),
        "max_decimal_places": _("Enter a whole number, for example 30."),
    },
    forms.CharField: {
        "max_length": _(
            "Shorten this to %(limit_value)d characters or fewer (it has %(show_value)d)."
        ),
    },
}


# What only a date or number box may carry.
NUMERIC_ONLY = {"type", "min", "max", "step"}


class FilterForm(forms.Form):
    """The form of a list's filters: messages in our words, and what was typed kept
    in view when it is wrong."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for kind, messages in FIELD_MESSAGES.items():
                if isinstance(field, kind):
                    field.error_messages.update(messages)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            field = self.fields.get(name)
            if field is not None and isinstance(field.widget, forms.DateInput | forms.NumberInput):
                # A date picker or number box shows nothing for text that is not a date
                # or a number (nor may it hold it): the person could not see what they
                # typed. A text box shows it, to correct.
                kept = {k: v for k, v in field.widget.attrs.items() if k not in NUMERIC_ONLY}
                if isinstance(field.widget, forms.NumberInput):
                    kept["inputmode"] = "numeric"  # not for dates: a phone's number pad has no "-"
                field.widget = forms.TextInput(attrs=kept)
