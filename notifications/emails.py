"""The digest e-mail: one per person per run, in their language, with a one-click
unsubscribe link (RFC 8058) that works without logging in."""

from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.templatetags.records import long_date
from notifications.reminders import Digest, Item

UNSUBSCRIBE_SALT = "accords.notifications.unsubscribe"
# An unsubscribe link keeps working this long after its e-mail was sent: old
# digests sit in mailboxes, and a refusal to stop them would be worse than none.
UNSUBSCRIBE_LINK_DAYS = 365


def unsubscribe_token(user) -> str:
    return signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).sign(str(user.pk))


def user_from_unsubscribe_token(token: str):
    """The user a genuine, unexpired token names; signing.BadSignature (including
    SignatureExpired) for anything else."""
    user_pk = signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).unsign(
        token, max_age=UNSUBSCRIBE_LINK_DAYS * 24 * 3600
    )
    return get_user_model().objects.get(pk=user_pk)


def absolute(path: str) -> str:
    return f"{settings.ACCORDS_BASE_URL}{path}"


GROUP_HEADINGS = {
    "overdue": lambda n: ngettext("Overdue milestone", "Overdue milestones", n),
    "expired_active": lambda n: ngettext(
        "Agreement past its expiry date, still marked signed or in force",
        "Agreements past their expiry date, still marked signed or in force",
        n,
    ),
    "due": lambda n: ngettext("Milestone falling due", "Milestones falling due", n),
    "expiring": lambda n: ngettext("Agreement expiring", "Agreements expiring", n),
    "stale": lambda n: ngettext(
        "Open milestone not reviewed for 90 days", "Open milestones not reviewed for 90 days", n
    ),
}
GROUP_LISTS = {  # where "and more" leads
    "overdue": ("agreements:milestone_list", "?overdue=on"),
    "expired_active": ("agreements:agreement_list", "?attention=expired_active"),
    "due": ("agreements:milestone_list", "?due_within=30"),
    "expiring": ("agreements:agreement_list", "?sort=expiry"),
    "stale": ("agreements:milestone_list", "?stale=on"),
}


def describe(item: Item, *, today) -> dict:
    """What a digest says of one record, in the active language."""
    agreement = item.agreement
    agreement_line = str(agreement)  # "AGR-2025-0001 Title", in the active language
    url = agreement.get_absolute_url()
    if item.milestone:
        url += f"#milestone-{item.record.pk}"
    date = long_date(item.subject_date)
    days = (item.subject_date - today).days
    if item.kind == "overdue":
        note = ngettext(
            "due on %(date)s, %(days)s day overdue", "due on %(date)s, %(days)s days overdue", -days
        )
    elif item.kind == "due" and days == 0:
        note = _("due today, %(date)s")
    elif item.kind == "due":
        note = ngettext(
            "due on %(date)s, in %(days)s day", "due on %(date)s, in %(days)s days", days
        )
    elif item.kind == "stale":
        note = _("last reviewed on %(date)s")
    elif item.kind == "expiring" and days == 0:
        note = _("expires today, %(date)s")
    elif item.kind == "expiring":
        note = ngettext(
            "expires on %(date)s, in %(days)s day", "expires on %(date)s, in %(days)s days", days
        )
    else:
        note = _("expired on %(date)s, still marked “%(status)s”")
    return {
        "title": item.record.text("title") if item.milestone else agreement_line,
        "agreement": agreement_line if item.milestone else "",
        "note": note % {"date": date, "days": abs(days), "status": agreement.get_status_display()},
        "url": absolute(url),
    }


def compose(digest: Digest, *, connection=None) -> EmailMultiAlternatives:
    """The digest as an e-mail with text and HTML parts, in the person's language."""
    with translation.override(digest.settings.email_language):
        token = unsubscribe_token(digest.user)
        unsubscribe_url = absolute(reverse("notifications:unsubscribe", args=[token]))
        groups = []
        for group in digest.groups:
            name, query = GROUP_LISTS[group.kind]
            groups.append(
                {
                    "kind": group.kind,
                    "heading": GROUP_HEADINGS[group.kind](len(group.items)),
                    "items": [describe(item, today=digest.today) for item in group.items],
                    "more_url": absolute(reverse(name) + query) if group.more else "",
                }
            )
        context = {
            "user": digest.user,
            "today": digest.today,
            "groups": groups,
            "overdue_count": sum(len(g.items) for g in digest.groups if g.kind == "overdue"),
            "settings_url": absolute(reverse("notifications:settings")),
            "mine_url": absolute(reverse("notifications:mine")),
            "unsubscribe_url": unsubscribe_url,
        }
        count = len(digest.items)
        subject = ngettext(
            "[Accords] %(count)s reminder", "[Accords] %(count)s reminders", count
        ) % {"count": count}
        if context["overdue_count"]:
            subject += " " + _("(%(count)s overdue)") % {"count": context["overdue_count"]}
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("notifications/email/digest.txt", context),
            to=[digest.user.email],
            connection=connection,
            headers={
                "Message-ID": make_msgid(domain=urlsplit(settings.ACCORDS_BASE_URL).hostname),
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",  # RFC 3834: no out-of-office replies
                "Content-Language": digest.settings.email_language,
            },
        )
        message.attach_alternative(
            render_to_string("notifications/email/digest.html", context), "text/html"
        )
    return message
