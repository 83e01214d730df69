import os

from django.core.wsgi import get_wsgi_application

from config.slow_clients import SendTimeout, send_timeout_from_environment

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# A client that stops reading is dropped after ACCORDS_SEND_TIMEOUT seconds (30).
application = SendTimeout(get_wsgi_application(), send_timeout_from_environment())
