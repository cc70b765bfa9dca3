#!/usr/bin/env python
import gc
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "send_portal.settings.local")
    # No garbage collection while Django and the project load: see send_portal.process.
    gc.disable()
    from django.core.management import ManagementUtility

    from send_portal.process import freeze_what_loading_made

    class Utility(ManagementUtility):
        def fetch_command(self, subcommand):
            # Django is set up and the command is about to be loaded: loading is over.
            freeze_what_loading_made()
            return super().fetch_command(subcommand)

    Utility(sys.argv).execute()
