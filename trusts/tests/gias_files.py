"""Small files in the shape of GIAS's extracts: the establishment extract's columns in its own
order (most of its 130 left out), Windows-1252, dates DD-MM-YYYY, and its links file."""

import csv
import io

EXTRACT_COLUMNS = [
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (code)",
    "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)",
    "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (code)",
    "ReasonEstablishmentOpened (name)",
    "OpenDate",
    "ReasonEstablishmentClosed (code)",
    "ReasonEstablishmentClosed (name)",
    "CloseDate",
    "PhaseOfEducation (code)",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "Boarders (code)",
    "Boarders (name)",
    "NumberOfPupils",
    "TrustSchoolFlag (code)",
    "TrustSchoolFlag (name)",
    "Trusts (code)",
    "Trusts (name)",
    "UKPRN",
    "Postcode",
    "PreviousLA (code)",
    "PreviousLA (name)",
    "PreviousEstablishmentNumber",
]


def school(
    urn,
    name,
    laestab,
    *,
    phase="Primary",
    kind="Academy converter",
    status="Open",
    opened="01-09-2015",
    closed="",
    low="4",
    high="11",
    trust=("5001", "ASSISI CATHOLIC TRUST"),
    la_name=None,
):
    la, estab = laestab[:3], laestab[3:]
    las = {"881": "Essex", "882": "Southend-on-Sea", "883": "Thurrock", "919": "Hertfordshire"}
    return {
        "URN": urn,
        "LA (code)": la,
        "LA (name)": la_name or las.get(la, f"LA {la}"),
        "EstablishmentNumber": estab,
        "EstablishmentName": name,
        "TypeOfEstablishment (code)": "34",
        "TypeOfEstablishment (name)": kind,
        "EstablishmentTypeGroup (code)": "10",
        "EstablishmentTypeGroup (name)": "Academies",
        "EstablishmentStatus (code)": "1",
        "EstablishmentStatus (name)": status,
        "ReasonEstablishmentOpened (code)": "10",
        "ReasonEstablishmentOpened (name)": "Academy Converter",
        "OpenDate": opened,
        "ReasonEstablishmentClosed (code)": "00",
        "ReasonEstablishmentClosed (name)": "Not applicable",
        "CloseDate": closed,
        "PhaseOfEducation (code)": "2",
        "PhaseOfEducation (name)": phase,
        "StatutoryLowAge": low,
        "StatutoryHighAge": high,
        "Boarders (code)": "1",
        "Boarders (name)": "No boarders",
        "NumberOfPupils": "210",
        "TrustSchoolFlag (code)": "3" if trust[0] else "0",
        "TrustSchoolFlag (name)": "Supported by a multi-academy trust" if trust[0] else "Not applicable",
        "Trusts (code)": trust[0],
        "Trusts (name)": trust[1],
        "UKPRN": "",
        "Postcode": "SS1 1AA",
        "PreviousLA (code)": "999",
        "PreviousLA (name)": "Not applicable",
        "PreviousEstablishmentNumber": "",
    }


def extract(path, rows, columns=EXTRACT_COLUMNS, encoding="cp1252"):
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=columns, quoting=csv.QUOTE_ALL, lineterminator="\r\n", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def links(path, rows):
    """rows: (URN, LinkURN, LinkName, LinkType, LinkEstablishedDate)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"])
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("cp1252"))
    return path
