"""Navigation entries by capability. Each app registers its own entries in AppConfig.ready,
so the lowest layer can show links to pages of higher layers without importing them."""

from dataclasses import dataclass

from .access import Capability


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: Capability | None  # None: every logged-in user
    order: int = 50


_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    if item not in _ITEMS:
        _ITEMS.append(item)
        _ITEMS.sort(key=lambda i: (i.order, i.label))


def items() -> list[NavItem]:
    return list(_ITEMS)


@dataclass(frozen=True)
class SchoolLink:
    """A link on a school's page to another app's page for that school
    (its URL takes the school's `laestab`)."""

    label: str
    url_name: str
    capability: Capability
    description: str = ""
    order: int = 50


_SCHOOL_LINKS: list[SchoolLink] = []


def register_school_link(link: SchoolLink) -> None:
    if link not in _SCHOOL_LINKS:
        _SCHOOL_LINKS.append(link)
        _SCHOOL_LINKS.sort(key=lambda i: (i.order, i.label))


def school_links() -> list[SchoolLink]:
    return list(_SCHOOL_LINKS)
