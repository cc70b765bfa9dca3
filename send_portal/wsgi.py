import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "send_portal.settings.production")
application = get_wsgi_application()
# What loading Django and the project made lives as long as the process. Frozen, it is left out
# of the garbage collector's full collections, which otherwise walk all of it every so often in
# the middle of a request: 50 to 80 ms added to one dashboard view in twenty (bench/dashboards).
gc.freeze()
