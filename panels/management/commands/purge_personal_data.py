"""Anonymise participants of concertations closed for longer than the retention period.

Meant to run daily (cron, systemd timer); --dry-run counts without changing anything."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from panels.rgpd import personal_data_purge


class Command(BaseCommand):
    help = _("Efface les données personnelles des démarches clôturées depuis plus longtemps que la durée "
             "de conservation (PERSONAL_DATA_RETENTION_DAYS).")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help=_("Compter seulement, sans rien effacer."))

    def handle(self, *args, dry_run: bool = False, **options):
        result = personal_data_purge(dry_run=dry_run)
        days = settings.PERSONAL_DATA_RETENTION_DAYS
        self.stdout.write(ngettext(
            "Durée de conservation : %(days)d jour après la clôture.",
            "Durée de conservation : %(days)d jours après la clôture.", days) % {"days": days})
        self.stdout.write(ngettext(
            "%(count)d démarche clôturée concernée.", "%(count)d démarches clôturées concernées.",
            result.concertations) % {"count": result.concertations})
        if dry_run:
            self.stdout.write(ngettext(
                "%(count)d participant·e serait anonymisé·e.",
                "%(count)d participant·es seraient anonymisé·es.",
                result.participants) % {"count": result.participants})
            self.stdout.write(ngettext(
                "%(count)d arrivée non admise serait effacée.",
                "%(count)d arrivées non admises seraient effacées.",
                result.walk_ins) % {"count": result.walk_ins})
            self.stdout.write(_("Simulation (--dry-run) : rien n'a été modifié."))
            return
        self.stdout.write(ngettext(
            "%(count)d participant·e anonymisé·e.", "%(count)d participant·es anonymisé·es.",
            result.participants) % {"count": result.participants})
        self.stdout.write(ngettext(
            "%(count)d arrivée non admise effacée.", "%(count)d arrivées non admises effacées.",
            result.walk_ins) % {"count": result.walk_ins})
