"""The demo data, layer by layer: each app seeds its own part, lowest layer first."""

from dataclasses import dataclass, field

from trusts import demo as trusts_demo


@dataclass
class Summary:
    lines: list[str] = field(default_factory=list)
    users: list = field(default_factory=list)


def run_all() -> Summary:
    summary = Summary()
    counts = trusts_demo.seed_reference()
    summary.lines.append(", ".join(f"{n} {what}" for what, n in counts.items()))
    summary.users = trusts_demo.seed_users()
    return summary
