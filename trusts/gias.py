"""Schools from Get Information about Schools (GIAS): its establishment extract
("edubasealldata", Windows-1252 CSV) and its links file (predecessor and successor URNs).

`read_establishments` and `read_links` turn the files into rows or refuse them with the reason;
`plan` compares the rows with the portal's trusts, local authorities and schools and says what
an import would change (nothing is written); `trusts.services.schools_import_gias` writes a
plan. One School row is kept per school for its whole life: when an academy conversion (or any
re-registration) gives it a new URN, the links file names the old URN as the new one's
predecessor and the school takes the new URN, LAESTAB and name, its old ones recorded as a
FormerURN. Everything hung on the School (census snapshots, pupils, plans, claims, kept
figures) stays joined, so dashboards need no change."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify

from core.csvfiles import CSVFileError, parse_date, read_rows

from .models import FormerURN, LocalAuthority, School, Trust

# The extract's columns the import reads (GIAS writes about 130).
URN = "URN"
LA_CODE = "LA (code)"
LA_NAME = "LA (name)"
ESTAB = "EstablishmentNumber"
NAME = "EstablishmentName"
TYPE = "TypeOfEstablishment (name)"
STATUS = "EstablishmentStatus (name)"
OPEN_DATE = "OpenDate"
CLOSE_DATE = "CloseDate"
PHASE = "PhaseOfEducation (name)"
LOW_AGE = "StatutoryLowAge"
HIGH_AGE = "StatutoryHighAge"
TRUST_CODE = "Trusts (code)"
TRUST_NAME = "Trusts (name)"
REQUIRED = (
    URN,
    LA_CODE,
    LA_NAME,
    ESTAB,
    NAME,
    TYPE,
    STATUS,
    OPEN_DATE,
    CLOSE_DATE,
    PHASE,
    LOW_AGE,
    HIGH_AGE,
    TRUST_CODE,
    TRUST_NAME,
)
LINK_COLUMNS = ("URN", "LinkURN", "LinkType")

STATUSES = {
    "open": School.Status.OPEN,
    "closed": School.Status.CLOSED,
    "open, but proposed to close": School.Status.PROPOSED_TO_CLOSE,
    "proposed to open": School.Status.PROPOSED_TO_OPEN,
}
PHASES = {
    "nursery": School.Phase.NURSERY,
    "primary": School.Phase.PRIMARY,
    "middle deemed primary": School.Phase.MIDDLE,
    "middle deemed secondary": School.Phase.MIDDLE,
    "secondary": School.Phase.SECONDARY,
    "16 plus": School.Phase.POST_16,
    "all-through": School.Phase.ALL_THROUGH,
}

FIELD_LABELS = {
    "name": "name",
    "laestab": "LAESTAB",
    "urn": "URN",
    "phase": "phase",
    "local_authority": "local authority",
    "trust": "trust",
    "status": "status",
    "opened_on": "open date",
    "closed_on": "close date",
}


class GIASFileError(CSVFileError):
    """The file is not the GIAS extract (or links file) it should be."""


@dataclass(frozen=True)
class Establishment:
    line: int
    urn: str
    laestab: str
    la_code: int
    la_name: str
    name: str
    phase: str
    status: str
    opened_on: datetime.date | None
    closed_on: datetime.date | None
    group_uid: str
    group_name: str


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str
    group_uid: str = ""  # the row's trust, so that --trust may leave other trusts' rows aside

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.reason}"


def _phase(row: dict[str, str]) -> str | None:
    if "special" in row[TYPE].lower():
        return School.Phase.SPECIAL
    phase = PHASES.get(row[PHASE].strip().lower())
    if phase == School.Phase.PRIMARY:
        # GIAS has no infant or junior phase: the statutory ages tell them apart.
        low, high = _age(row[LOW_AGE]), _age(row[HIGH_AGE])
        if high is not None and high <= 7:
            return School.Phase.INFANT
        if low is not None and low >= 7:
            return School.Phase.JUNIOR
    return phase


def _age(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def read_establishments(path: Path | str) -> tuple[list[Establishment], list[RowError]]:
    """Every row of the extract that names a URN, with the errors of the rows that are wrong.
    Raises GIASFileError when the file is not a GIAS establishment extract."""
    try:
        header, rows = read_rows(path, keep=REQUIRED)
    except CSVFileError as exc:
        raise GIASFileError(str(exc)) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise GIASFileError(
            "This is not a Get Information about Schools establishment extract: it has no "
            + ", ".join(f'"{c}"' for c in missing)
            + " column"
            + ("s" if len(missing) > 1 else "")
            + ". Download 'Establishment fields CSV' from GIAS and give the edubasealldata file."
        )
    if not rows:
        raise GIASFileError("The extract has a header but no schools.")
    out: list[Establishment] = []
    errors: list[RowError] = []
    for line, row in rows:
        problems = []
        urn = row[URN]
        if not re.fullmatch(r"\d{6}", urn):
            problems.append((URN, f'"{urn}" is not a URN (6 digits)'))
        la = row[LA_CODE]
        if not re.fullmatch(r"\d{3}", la):
            problems.append((LA_CODE, f'"{la}" is not a local authority code (3 digits)'))
        estab = row[ESTAB]
        status = STATUSES.get(row[STATUS].lower())
        if status is None:
            problems.append((STATUS, f'"{row[STATUS]}" is not a GIAS establishment status'))
        phase = _phase(row)
        dates = {}
        for column in (OPEN_DATE, CLOSE_DATE):
            try:
                dates[column] = parse_date(row[column])
            except ValueError:
                problems.append((column, f'"{row[column]}" is not a date (DD-MM-YYYY)'))
                dates[column] = None
        if not row[NAME]:
            problems.append((NAME, "the school has no name"))
        group_uid = row[TRUST_CODE]
        if group_uid and not re.fullmatch(r"\d{1,10}", group_uid):
            problems.append((TRUST_CODE, f'"{group_uid}" is not a GIAS group UID'))
        # A school outside any trust is not imported: its own gaps do not stop the import.
        if group_uid:
            if not re.fullmatch(r"\d{4}", estab):
                problems.append((ESTAB, f'"{estab}" is not an establishment number (4 digits)'))
            if phase is None:
                problems.append((PHASE, f'"{row[PHASE]}" ({row[TYPE]}) is not a phase the portal knows'))
            if not row[TRUST_NAME]:
                problems.append((TRUST_NAME, "the trust has a code but no name"))
        if problems:
            errors.extend(RowError(line, c, r, group_uid) for c, r in problems)
            continue
        assert status is not None  # else a problem above
        out.append(
            Establishment(
                line=line,
                urn=urn,
                laestab=f"{la}{estab}",
                la_code=int(la),
                la_name=row[LA_NAME],
                name=row[NAME],
                phase=phase or "",
                status=status,
                opened_on=dates[OPEN_DATE],
                closed_on=dates[CLOSE_DATE],
                group_uid=group_uid,
                group_name=row[TRUST_NAME],
            )
        )
    seen: dict[str, int] = {}
    for e in out:
        if e.urn in seen:
            errors.append(RowError(e.line, URN, f"URN {e.urn} is also on line {seen[e.urn]}", e.group_uid))
        seen.setdefault(e.urn, e.line)
    return out, errors


@dataclass(frozen=True)
class Link:
    urn: str
    predecessor: str
    date: datetime.date | None


def read_links(path: Path | str) -> list[Link]:
    """The predecessor links of GIAS's links file ("links_edubasealldata": URN, LinkURN,
    LinkName, LinkType, LinkEstablishedDate). A successor line says the same as its
    predecessor line the other way round, so both are read as (new URN, old URN)."""
    try:
        header, rows = read_rows(path)
    except CSVFileError as exc:
        raise GIASFileError(f"The links file: {exc}") from None
    missing = [c for c in LINK_COLUMNS if c not in header]
    if missing:
        raise GIASFileError(
            "The links file is not GIAS's links extract: it has no "
            + ", ".join(f'"{c}"' for c in missing)
            + " column"
            + ("s" if len(missing) > 1 else "")
            + "."
        )
    links: dict[tuple[str, str], Link] = {}
    problems = []
    for line, row in rows:
        kind = row["LinkType"].lower()
        if not (kind.startswith("predecessor") or kind.startswith("successor")):
            continue  # sixth-form centre links and the like
        urn, other = row["URN"], row["LinkURN"]
        if not (re.fullmatch(r"\d{6}", urn) and re.fullmatch(r"\d{6}", other)):
            problems.append(f"line {line}: URN and LinkURN must be 6 digits")
            continue
        try:
            date = parse_date(row.get("LinkEstablishedDate", ""))
        except ValueError:
            problems.append(f'line {line}: "{row["LinkEstablishedDate"]}" is not a date')
            continue
        new, old = (urn, other) if kind.startswith("predecessor") else (other, urn)
        if (new, old) not in links or links[(new, old)].date is None:
            links[(new, old)] = Link(new, old, date)
    if problems:
        raise GIASFileError(
            "The links file has errors: "
            + "; ".join(problems[:20])
            + (f" (and {len(problems) - 20} more)" if len(problems) > 20 else "")
        )
    return list(links.values())


# --- What an import would change ---------------------------------------------------------------


@dataclass
class SchoolChange:
    """One school to create (school None) or change. `values` are the fields to write;
    `changes` says in words what differs; `former` an old URN to record."""

    establishment: Establishment
    school: School | None
    values: dict
    changes: list[str] = field(default_factory=list)
    former: FormerURN | None = None
    trust_key: str = ""  # group UID of the trust to join (may be a trust the plan creates)
    la_code: int = 0

    @property
    def label(self) -> str:
        e = self.establishment
        return f"{e.name} (URN {e.urn}, LAESTAB {e.laestab})"


@dataclass
class Plan:
    trusts_new: list[Trust] = field(default_factory=list)
    trusts_changed: list[tuple[Trust, dict, str]] = field(default_factory=list)
    las_new: list[LocalAuthority] = field(default_factory=list)
    schools_new: list[SchoolChange] = field(default_factory=list)
    schools_changed: list[SchoolChange] = field(default_factory=list)
    former_changed: list[tuple[FormerURN, dict]] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    trusts: dict[str, Trust] = field(default_factory=dict)  # group UID -> trust (new or not)
    las: dict[int, LocalAuthority] = field(default_factory=dict)

    @property
    def has_changes(self) -> bool:
        return bool(
            self.trusts_new
            or self.trusts_changed
            or self.las_new
            or self.schools_new
            or self.schools_changed
            or self.former_changed
        )


def _trust_for(plan: Plan, e: Establishment, by_uid: dict, by_slug: dict) -> Trust:
    if e.group_uid in plan.trusts:
        return plan.trusts[e.group_uid]
    trust = by_uid.get(e.group_uid)
    if trust is None:
        trust = by_slug.get(slugify(e.group_name))
        if trust is not None and trust.group_uid is None:
            # A trust typed in (or seeded) before its group UID was known.
            plan.trusts_changed.append(
                (trust, {"group_uid": e.group_uid}, f"{trust.name}: GIAS group UID set to {e.group_uid}")
            )
        elif trust is not None:
            plan.errors.append(
                f'line {e.line}: the trust "{e.group_name}" (group {e.group_uid}) has the name '
                f"of the portal's {trust.name}, which is group {trust.group_uid}"
            )
        else:
            trust = Trust(name=e.group_name, slug=slugify(e.group_name), group_uid=e.group_uid)
            plan.trusts_new.append(trust)
    plan.trusts[e.group_uid] = trust
    return trust


def _la_for(plan: Plan, e: Establishment) -> LocalAuthority:
    la = plan.las.get(e.la_code)
    if la is None:
        la = LocalAuthority(
            code=e.la_code,
            name=e.la_name,
            funding_unit=LocalAuthority.FundingUnit.BAND,
            notes="Added from Get Information about Schools: check how it funds top-up "
            "(hours or band) and add its banding table.",
        )
        plan.las[e.la_code] = la
        plan.las_new.append(la)
    return la


def _text(field_name: str, value) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, datetime.date):
        return f"{value:%-d %b %Y}"
    if field_name == "phase":
        return School.Phase(value).label
    if field_name == "status":
        return School.Status(value).label
    return str(value)


def plan(establishments: list[Establishment], links: list[Link], *, group_uid: str | None = None) -> Plan:
    """What importing these rows would change. Rows of schools in no trust are left out (a
    school needs its trust); so, unless `group_uid` names their trust, are rows of trusts the
    portal does not have yet (the national extract holds every trust in England)."""
    p = Plan()
    schools = {s.pk: s for s in School.objects.select_related("trust", "local_authority")}
    by_urn = {s.urn: s for s in schools.values() if s.urn}
    by_laestab = {s.laestab: s for s in schools.values()}
    formers = {f.urn: f for f in FormerURN.objects.all()}
    trusts = list(Trust.objects.all())
    by_uid = {t.group_uid: t for t in trusts if t.group_uid}
    by_slug = {t.slug: t for t in trusts}
    p.las = {la.code: la for la in LocalAuthority.objects.all()}
    predecessors: dict[str, list[Link]] = {}
    for link in links:
        predecessors.setdefault(link.urn, []).append(link)

    chosen: list[Establishment]
    if group_uid is not None:
        chosen = [e for e in establishments if e.group_uid == group_uid]
        if not chosen:
            p.errors.append(f"No school in the file belongs to the trust with group UID {group_uid}.")
            return p
    else:
        chosen = []
        new_groups: dict[tuple[str, str], int] = {}
        for e in establishments:
            known = e.urn in by_urn or e.urn in formers
            if not e.group_uid:
                if known:
                    p.skipped.append(f"{e.name} (URN {e.urn}) is in no trust in GIAS: left as it is")
                continue
            if e.group_uid in by_uid or slugify(e.group_name) in by_slug or known:
                chosen.append(e)
            else:
                new_groups.setdefault((e.group_uid, e.group_name), 0)
                new_groups[(e.group_uid, e.group_name)] += 1
        if new_groups:
            p.skipped.append(
                f"{sum(new_groups.values()):,} school(s) of {len(new_groups):,} trust(s) not in the "
                "portal were left out; add a trust with --trust GROUP_UID, e.g. "
                + "; ".join(f"{uid} {name}" for (uid, name) in sorted(new_groups)[:3])
            )

    # Which of the portal's schools the file gives a new URN (its successor's): found before
    # the rows are compared, so that the old URN's own row (closed) does not close the school.
    successor_of: dict[int, list[tuple[Establishment, Link]]] = {}
    for e in chosen:
        if e.urn in by_urn or e.urn in formers:
            continue
        for link in predecessors.get(e.urn, []):
            pred = by_urn.get(link.predecessor)
            if pred is None and link.predecessor in formers:
                pred = schools.get(formers[link.predecessor].school_id)
            if pred is not None:
                successor_of.setdefault(pred.pk, [])
                if all(x.urn != e.urn for x, _ in successor_of[pred.pk]):
                    successor_of[pred.pk].append((e, link))
    old_rows = {e.urn: e for e in establishments}
    succeeded = {schools[pk].urn for pk in successor_of}

    taken_urns = set(by_urn)
    final_laestab: dict[str, str] = {}  # laestab -> URN that will hold it
    for e in chosen:
        former = formers.get(e.urn)
        if e.urn in succeeded:
            continue  # kept as the school's former URN when its successor's row is read
        if former is not None and e.urn not in by_urn:
            values = {
                k: v
                for k, v in (
                    ("name", e.name),
                    ("laestab", e.laestab),
                    ("opened_on", e.opened_on),
                    ("closed_on", e.closed_on),
                )
                if getattr(former, k) != v
            }
            if values:
                p.former_changed.append((former, values))
            else:
                p.unchanged += 1
            continue
        school = by_urn.get(e.urn)
        former_new = None
        if school is None:
            known_preds = [
                (schools[pk], link) for pk, succ in successor_of.items() for x, link in succ if x.urn == e.urn
            ]
            if len(known_preds) > 1:
                p.errors.append(
                    f"line {e.line}: URN {e.urn} ({e.name}) succeeds {len(known_preds)} schools in "
                    "the portal (" + ", ".join(str(s) for s, _ in known_preds) + "); merging "
                    "schools' records is not done by an import"
                )
                continue
            if known_preds:
                school, link = known_preds[0]
                if len(successor_of[school.pk]) > 1:
                    p.errors.append(
                        f"line {e.line}: {school} has {len(successor_of[school.pk])} successors "
                        "in the file (URNs "
                        + ", ".join(x.urn for x, _ in successor_of[school.pk])
                        + "); splitting a school's records is not done by an import"
                    )
                    continue
                old = old_rows.get(school.urn or "")
                closed_on = (old.closed_on if old and old.closed_on else school.closed_on) or (
                    e.opened_on - datetime.timedelta(days=1) if e.opened_on else link.date
                )
                former_new = FormerURN(
                    school=school,
                    urn=school.urn or "",
                    laestab=old.laestab if old else school.laestab,
                    name=old.name if old else school.name,
                    opened_on=old.opened_on if old else school.opened_on,
                    closed_on=closed_on,
                )
            elif e.laestab in by_laestab and not by_laestab[e.laestab].urn:
                school = by_laestab[e.laestab]  # known by LAESTAB only: it takes its URN
            elif e.laestab in by_laestab:
                other = by_laestab[e.laestab]
                p.errors.append(
                    f"line {e.line}: LAESTAB {e.laestab} is {other} here, with URN {other.urn}, "
                    f"but the file gives it to URN {e.urn} ({e.name}) with no predecessor link "
                    "between them: give GIAS's links file with --links"
                )
                continue
            elif e.status == School.Status.CLOSED:
                p.skipped.append(f"{e.name} (URN {e.urn}) is closed and not in the portal")
                continue
        if e.urn in taken_urns and (school is None or school.urn != e.urn):
            p.errors.append(f"line {e.line}: URN {e.urn} already belongs to another school")
            continue
        taken_urns.add(e.urn)
        if e.laestab in final_laestab:
            p.errors.append(
                f"line {e.line}: LAESTAB {e.laestab} is given to URNs {final_laestab[e.laestab]} and {e.urn}"
            )
            continue
        final_laestab[e.laestab] = e.urn
        if e.group_uid:
            trust = _trust_for(p, e, by_uid, by_slug)
        elif school is not None:
            trust = school.trust
        else:
            continue
        la = _la_for(p, e)
        wanted = {
            "urn": e.urn,
            "laestab": e.laestab,
            "name": e.name,
            "phase": e.phase,
            "status": e.status,
            "opened_on": e.opened_on,
            "closed_on": e.closed_on,
        }
        change = SchoolChange(e, school, {}, former=former_new, trust_key=e.group_uid, la_code=e.la_code)
        if school is None:
            change.values = wanted
            p.schools_new.append(change)
            continue
        for key, value in wanted.items():
            if getattr(school, key) != value:
                change.values[key] = value
                change.changes.append(
                    f"{FIELD_LABELS[key]} {_text(key, getattr(school, key))} → {_text(key, value)}"
                )
        if school.local_authority.code != la.code:
            change.changes.append(f"local authority {school.local_authority.name} → {la.name}")
        if trust.pk is None or school.trust_id != trust.pk:
            change.changes.append(
                f"trust {school.trust.name} → {trust.name} (its records go with it to that trust's readers)"
            )
        if former_new is not None:
            change.changes.insert(
                0, f"new URN {e.urn} succeeds {former_new.urn or 'none'}: its census history stays with it"
            )
        if change.changes:
            p.schools_changed.append(change)
        else:
            p.unchanged += 1
    # After the changes, no two schools may share a LAESTAB.
    after = {s.pk: s.laestab for s in schools.values()}
    for c in p.schools_changed:
        assert c.school is not None  # a change is of a school the register has
        after[c.school.pk] = c.values.get("laestab", c.school.laestab)
    holders: dict[str, list[str]] = {}
    for pk, laestab in after.items():
        holders.setdefault(laestab, []).append(str(schools[pk]))
    for c in p.schools_new:
        holders.setdefault(c.values["laestab"], []).append(c.label)
    for laestab, names in sorted(holders.items()):
        if len(names) > 1:
            p.errors.append(f"LAESTAB {laestab} would belong to " + " and ".join(names))
    return p


def plan_lines(p: Plan) -> list[str]:
    """The plan in words, as the command prints it."""
    out = []
    for trust in p.trusts_new:
        out.append(f"New trust: {trust.name} (group {trust.group_uid})")
    for _trust, _values, text in p.trusts_changed:
        out.append(f"Trust changed: {text}")
    for la in p.las_new:
        out.append(f"New local authority: {la.name} ({la.code}); add its banding table")
    for c in p.schools_new:
        e = c.establishment
        out.append(
            f"New school: {c.label}, {School.Phase(e.phase).label}, {e.la_name}, "
            f"{School.Status(e.status).label.lower()}, trust {e.group_name}"
        )
    for c in p.schools_changed:
        out.append(f"Changed: {c.school}: " + "; ".join(c.changes))
    for former, values in p.former_changed:
        out.append(
            f"Former URN {former.urn} of {former.school}: "
            + "; ".join(f"{FIELD_LABELS[k]} → {_text(k, v)}" for k, v in values.items())
        )
    out.extend(f"Left out: {s}" for s in p.skipped)
    out.append(
        f"{len(p.schools_new):,} new, {len(p.schools_changed):,} changed, "
        f"{p.unchanged:,} unchanged; {len(p.trusts_new):,} new trust(s), "
        f"{len(p.las_new):,} new local authorit{'y' if len(p.las_new) == 1 else 'ies'}."
    )
    return out
