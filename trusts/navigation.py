"""Navigation entries by capability. Each app registers its own entries in AppConfig.ready,
so the lowest layer can show links to pages of higher layers without importing them."""

from collections.abc import Callable
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


@dataclass(frozen=True)
class PupilSection:
    """One section of the pupil page (the hub), filled by the app that owns the records.

    `build(pupil, user, today)` returns a `PupilSectionContent`, or None when this user may not
    see the section. It must cost a small, constant number of queries."""

    key: str
    title: str
    build: Callable[..., "PupilSectionContent | None"]
    order: int = 50


@dataclass(frozen=True)
class PupilRecord:
    """A line in a pupil page section: what the record is, in words ("Tribunal appeal, opened
    3 March 2026"), never "Case 64"."""

    text: str
    href: str = ""
    status: str = ""  # a short tag: "Open", "Overdue", "Details to complete"
    detail: str = ""
    tone: str = ""  # the tag's colour: "red", "orange", "yellow", "green", "blue" (grey if none)


@dataclass(frozen=True)
class PupilSectionContent:
    records: tuple[PupilRecord, ...] = ()
    empty: str = "None recorded."
    due_next: str = ""  # what is due next, in words, with its date
    actions: tuple[tuple[str, str], ...] = ()  # (label, href) the user may take from here
    intro: str = ""  # a sentence above the records, when the section needs one


_PUPIL_SECTIONS: list[PupilSection] = []


def register_pupil_section(section: PupilSection) -> None:
    if all(s.key != section.key for s in _PUPIL_SECTIONS):
        _PUPIL_SECTIONS.append(section)
        _PUPIL_SECTIONS.sort(key=lambda s: (s.order, s.title))


def pupil_sections() -> list[PupilSection]:
    return list(_PUPIL_SECTIONS)


@dataclass(frozen=True)
class HomeTask:
    """A line on the SENCO's home page: a count of things to do and a link to the filtered list."""

    label: str
    count: int
    href: str
    status: str = "todo"  # "overdue", "due" (soon), "todo", or "done" (nothing to do now)
    order: int = 50
    hint: str = ""  # a sentence under the label: "2 overdue; the rest due within 7 days."
    tag: str = ""  # shown in place of the count ("in 49 days" for the next census)


@dataclass(frozen=True)
class HomeTaskSource:
    """`build(user, schools, today)` returns the HomeTask lines this app has for the user's
    schools (a list of School), in a small, constant number of queries."""

    key: str
    build: Callable[..., "list[HomeTask]"]
    order: int = 50


_HOME_TASKS: list[HomeTaskSource] = []


def register_home_tasks(source: HomeTaskSource) -> None:
    if all(s.key != source.key for s in _HOME_TASKS):
        _HOME_TASKS.append(source)
        _HOME_TASKS.sort(key=lambda s: (s.order, s.key))


def home_task_sources() -> list[HomeTaskSource]:
    return list(_HOME_TASKS)
