import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create a local superuser 'admin' with a random password, unless a superuser exists."

    def handle(self, *args, **options):
        User = get_user_model()
        existing = User.objects.filter(is_superuser=True).order_by("pk").first()
        if existing:
            self.stdout.write(
                f"Superuser '{existing.get_username()}' exists. A forgotten password is "
                f"reset with: .venv/bin/python manage.py changepassword {existing.get_username()}"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", email="", password=password)
        line = "=" * 64
        self.stdout.write(
            f"{line}\nLocal superuser created. Shown once, note it now:\n"
            f"  user: admin\n  password: {password}\n{line}"
        )
