"""`make bench`, part 5: the reminder run at scale.

1,000 staff users, each responsible for 100 of the 100,000 synthetic agreements
(about 1,000 milestones each) and watching 5 more, get their digests from
`send_reminders`, through a real SMTP server (aiosmtpd's sink, in its own
process). Measured in a child process of its own: wall time, seconds per 1,000
digests, queries per person, peak memory. Then the same run again, which must
send nothing, and one person who asked for every agreement they may see.

Runs on the database bench_export.py seeded; its users and reminders are its own
(bench-officer-NNNN) and are reset before each run.
"""

import json
import os
import resource
import socket
import subprocess
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PEOPLE = 1000
TODAY = "2026-01-01"  # the synthetic due dates spread around it (seed_sample.ANCHOR)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare():
    """The bench's officers, their agreements and watches; no reminder sent yet."""
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction

    from notifications.models import NotificationSettings, Reminder, Watch

    with transaction.atomic():
        users = list(User.objects.filter(username__startswith="bench-officer-").order_by("pk"))
        if len(users) < PEOPLE:
            User.objects.bulk_create(
                [
                    User(
                        username=f"bench-officer-{n:04d}",
                        email=f"bench-officer-{n:04d}@ministry.example",
                        is_staff=True,
                    )
                    for n in range(len(users), PEOPLE)
                ]
            )
            users = list(User.objects.filter(username__startswith="bench-officer-").order_by("pk"))
            viewers = Group.objects.get(name="Viewers")
            Through = User.groups.through
            Through.objects.filter(user__in=users).delete()
            Through.objects.bulk_create([Through(user=u, group=viewers) for u in users])
        ids = [u.pk for u in users]
        with connection.cursor() as cursor:
            # Agreement n goes to officer n mod 1,000: 100 agreements each.
            cursor.execute(
                "UPDATE agreements_agreement"
                " SET responsible_officer_id = (%s::bigint[])[id %% %s + 1]"
                " WHERE responsible_officer_id IS DISTINCT FROM (%s::bigint[])[id %% %s + 1]",
                [ids, PEOPLE, ids, PEOPLE],
            )
        Watch.objects.filter(user__in=users).delete()
        Watch.objects.bulk_create(
            [
                Watch(user_id=pk, agreement_id=agreement)
                for n, pk in enumerate(ids)
                for agreement in range(n * 97 + 1, n * 97 + 6)
            ]
        )
        NotificationSettings.objects.filter(user__in=users).delete()
        Reminder.objects.filter(user__in=users).delete()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return ids


def child(port: str, only: str):
    """One run of send_reminders; prints its figures as JSON."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", int(port)
    # Only the bench's people: the database's other staff are not part of the measure.
    from notifications.management.commands import send_reminders

    everyone = send_reminders.recipients
    send_reminders.recipients = lambda today: everyone(today).filter(
        username__startswith="bench-officer-", **({"username": only} if only else {})
    )
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    from io import StringIO

    out = StringIO()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        call_command("send_reminders", f"--today={TODAY}", stdout=out)
    seconds = time.perf_counter() - started
    words = out.getvalue().split()
    digests, reminders = int(words[2]), int(words[5])
    people = User.objects.filter(username__startswith="bench-officer-").count() if not only else 1
    print(
        json.dumps(
            {
                "seconds": seconds,
                "digests": digests,
                "reminders": reminders,
                "queries": count[0],
                "people": people,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def time_pages(officer) -> dict:
    """Median milliseconds of an officer's own pages (100 agreements, ~1,000 milestones)."""
    import statistics

    from django.test import Client
    from django.urls import reverse

    from notifications.models import NotificationSettings

    own = NotificationSettings.objects.get_or_create(user=officer)[0]
    token = own.calendar_token or own.issue_calendar_token()
    client = Client(HTTP_HOST="localhost")
    client.force_login(officer)
    results = {}
    for name, url in [
        ("My agreements", reverse("notifications:mine")),
        ("private calendar feed", reverse("calendar_feed", args=[token])),
    ]:
        times = []
        for _ in range(12):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        results[name] = (statistics.median(times[2:]), len(response.content))
    return results


def run_child(port: int, only: str = "") -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "child", str(port), only],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ids = prepare()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Sink"],
    )  # fmt: skip
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        first = run_child(port)
        again = run_child(port)
        import django

        django.setup()
        from django.contrib.auth.models import User

        from notifications.models import NotificationSettings, Reminder

        pages = time_pages(User.objects.get(pk=ids[1]))
        everything = User.objects.get(pk=ids[0])
        NotificationSettings.objects.update_or_create(user=everything, defaults={"scope": "all"})
        Reminder.objects.filter(user=everything).delete()
        one_all = run_child(port, everything.username)
    finally:
        server.terminate()
        server.wait()

    print(f"Reminders: {PEOPLE:,} staff, 100 agreements each (+5 watched), run of {TODAY}")
    per_thousand = first["seconds"] / first["digests"] * 1000 if first["digests"] else 0
    print(
        f"  first run   {first['seconds']:6.1f} s  {first['digests']:,} digests, "
        f"{first['reminders']:,} reminders  ({per_thousand:.1f} s per 1,000 digests)"
    )
    print(
        f"              {first['queries'] / first['people']:.1f} queries per person, "
        f"peak memory {first['peak_mb']:.0f} MB"
    )
    print(
        f"  second run  {again['seconds']:6.1f} s  {again['digests']} digests "
        f"({again['queries'] / again['people']:.1f} queries per person)"
    )
    print(
        f"  one person, every agreement they may see: {one_all['seconds']:.2f} s, "
        f"{one_all['reminders']} reminders, {one_all['queries']} queries"
    )
    for name, (ms, size) in pages.items():
        print(f"  {name}: {ms:.0f} ms median, {size / 1024:.0f} KB")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")
    else:
        main()
