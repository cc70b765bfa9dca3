import os

from django.core.wsgi import get_wsgi_application

from send_portal.process import tune_garbage_collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "send_portal.settings.production")
application = get_wsgi_application()
tune_garbage_collector()
