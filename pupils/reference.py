"""Reference data for the register: the national averages by phase of
data/reference/national_averages.csv. Create only: figures changed since (in the admin, or
replaced by `import_published`) are kept, and a second run changes nothing. The averages are
read each time a page compares with them, so no kept figure depends on them."""

from decimal import Decimal

from trusts.reference import read_reference

from .models import NationalAverage


def load_national_averages() -> int:
    for row in read_reference("national_averages.csv"):
        NationalAverage.objects.get_or_create(
            phase=row["phase"],
            defaults={
                "ehcp_pct": Decimal(row["ehcp_pct"]),
                "sen_support_pct": Decimal(row["sen_support_pct"]),
                "total_send_pct": Decimal(row["total_send_pct"]),
                "source": row["source"],
            },
        )
    return NationalAverage.objects.count()


def load(today=None) -> list[str]:
    return [f"{load_national_averages()} national averages"]
