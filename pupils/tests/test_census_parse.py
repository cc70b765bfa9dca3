"""The parser and validator on their own: every row error kind and every refused file."""

import pytest

from pupils.census import CensusFileError, SchoolRef, parse

from .conftest import CENSUS_DATE, HEADER, census_csv, make_upn, row

SCHOOL = SchoolRef(1, "8811001", "111001", "Test Primary", 10)
OTHER = SchoolRef(2, "8811002", "111002", "Other Primary", 10)


def check(data: bytes, *, name="census.csv", default=1, schools=(SCHOOL,), **kw):
    return parse(
        data,
        file_name=name,
        census_date=CENSUS_DATE,
        schools=schools,
        known_school_codes=kw.pop("known", ["8811001", "8833101"]),
        default_school_id=default,
        local_authorities={"881": 10, "essex": 10, "883": 11},
        **kw,
    )


def errors_of(rows, **kw):
    parsed = check(census_csv(rows), **kw)
    return [(e.line, e.column, e.reason) for e in parsed.errors]


def test_a_clean_file_gives_counts_and_only_send_pupils_as_rows():
    rows = [
        row(1, "E", "ASD", "SLCN"),
        row(2, "K", "NSA"),
        row(3, "N"),
        row(4, "N", year_group="R", dob="2021-01-10"),
    ]
    parsed = check(census_csv(rows))
    assert parsed.is_valid and parsed.rows == 4
    counts = parsed.counts[1]
    assert (counts.number_on_roll, counts.ehcp, counts.sen_support) == (4, 1, 1)
    assert counts.by_need == {"ASD": {"E": 1, "K": 0}, "NSA": {"E": 0, "K": 1}}
    assert counts.by_year_group == {"4": {"E": 1, "K": 1, "N": 1}, "R": {"E": 0, "K": 0, "N": 1}}
    assert set(parsed.send_rows[1]) == {make_upn(1), make_upn(2)}
    assert parsed.no_sen_upns[1] == {make_upn(3), make_upn(4)}
    assert parsed.send_rows[1][make_upn(1)].secondary_need == "SLCN"


@pytest.mark.parametrize(
    ("changes", "column", "reason"),
    [
        ({"UPN": ""}, "UPN", "UPN is missing"),
        ({"UPN": "A801200005001"}, "UPN", "check letter is wrong"),
        ({"UPN": "B80120000500"}, "UPN", "13 characters"),
        ({"SENProvision": "S"}, "SENProvision", "'S' is not a provision code"),
        ({"PrimaryNeed": "XYZ"}, "PrimaryNeed", "'XYZ' is not a need code"),
        ({"SecondaryNeed": "ABC"}, "SecondaryNeed", "'ABC' is not a need code"),
        ({"SENProvision": "N"}, "PrimaryNeed", "a need is given for a pupil without SEN"),
        ({"PrimaryNeed": ""}, "PrimaryNeed", "needs a primary need"),
        ({"SENProvision": "E", "PrimaryNeed": "NSA"}, "PrimaryNeed", "NSA (no specialist assessment)"),
        ({"SecondaryNeed": "SLCN"}, "SecondaryNeed", "same as the primary need"),
        ({"DOB": "31/02/2016"}, "DOB", "not a date"),
        ({"DOB": "2016/05/17"}, "DOB", "not a date"),
        ({"DOB": ""}, "DOB", "date of birth is missing"),
        ({"DOB": "2026-01-01"}, "DOB", "after the census date"),
        ({"DOB": "1960-01-01"}, "DOB", "impossible age"),
        ({"YearGroup": "15"}, "YearGroup", "'15' is not a year group"),
        ({"YearGroup": ""}, "YearGroup", "year group is missing"),
        ({"YearGroup": "11"}, "YearGroup", "does not fit the date of birth"),
        ({"Gender": "Q"}, "Gender", "M, F or U"),
        ({"Surname": ""}, "Surname", "surname is missing"),
        ({"Forename": ""}, "Forename", "forename is missing"),
        ({"HomeLA": "Narnia"}, "HomeLA", "'Narnia' is not a local authority"),
        ({"School": "9999999"}, "School", "no school has the LAESTAB or URN 9999999"),
        ({"School": "8833101"}, "School", "you may not import for school 8833101"),
    ],
)
def test_each_kind_of_bad_row_is_an_error_with_line_column_and_reason(changes, column, reason):
    bad = row(2, "K", "SLCN")
    bad.update(changes)
    found = errors_of([row(1), bad, row(3)])
    assert [(line, col) for line, col, _ in found] == [(3, column)], found
    assert reason in found[0][2]


def test_a_duplicate_upn_names_the_first_line():
    found = errors_of([row(1), row(2), row(1, "N")])
    assert found == [(4, "UPN", "the same UPN is on line 2")]


def test_rows_without_a_school_are_errors_when_none_was_chosen():
    found = errors_of([row(1)], default=None)
    assert found == [(2, "School", "no school given (add a school column or choose a school)")]


def test_a_school_column_by_laestab_or_urn_assigns_rows_to_schools():
    rows = [
        row(1, School="8811001"),
        row(2, School="111002"),
        row(3, "N", School="881/1002"),
        row(4, School=""),
    ]
    parsed = check(census_csv(rows), default=1, schools=(SCHOOL, OTHER))
    assert parsed.is_valid
    assert parsed.counts[1].number_on_roll == 2 and parsed.counts[2].number_on_roll == 2


def test_all_errors_are_counted_but_only_the_first_are_kept():
    rows = [row(i, upn="BAD") for i in range(30)]
    parsed = check(census_csv(rows), max_errors=10)
    assert parsed.error_count == 30 and len(parsed.errors) == 10 and parsed.error_rows == 30
    assert not parsed.is_valid


def test_header_aliases_case_and_spaces_are_accepted():
    header = [
        "Unique Pupil Number",
        "Legal Surname",
        "Legal Forename",
        "Date of Birth",
        "SEX",
        " Year Group ",
        "SEN Provision",
        "Primary Need",
        "Secondary_Need",
        "Ethnicity",
    ]
    keys = [
        "UPN",
        "Surname",
        "Forename",
        "DOB",
        "Gender",
        "YearGroup",
        "SENProvision",
        "PrimaryNeed",
        "SecondaryNeed",
        "Ethnicity",
    ]
    rows = [{h: r.get(k, "WBRI") for h, k in zip(header, keys, strict=True)} for r in [row(1), row(2, "N")]]
    parsed = check(census_csv(rows, header))
    assert parsed.is_valid and parsed.rows == 2
    assert parsed.columns["surname"] == "Legal Surname"


def test_bom_windows_1252_uk_dates_and_unix_line_ends_are_read():
    rows = [row(1, surname="Ó Briain–Zoë", dob="17/05/2016"), row(2, "N", dob="7/1/2016")]
    for data in (
        census_csv(rows, bom=True),
        census_csv(rows, encoding="cp1252"),
        census_csv(rows, newline="\n"),
    ):
        parsed = check(data)
        assert parsed.is_valid, parsed.errors
        pupil = parsed.send_rows[1][make_upn(1)]
        assert pupil.surname == "Ó Briain–Zoë"
        assert pupil.date_of_birth.isoformat() == "2016-05-17"


def test_lower_case_codes_spaced_upns_and_year_spellings_are_normalised():
    r = row(1, "k", "asd", year_group="Year 4")
    r["UPN"] = " " + r["UPN"][:4].lower() + " " + r["UPN"][4:]
    parsed = check(census_csv([r, row(2, "", "", year_group="Y4")]))
    assert parsed.is_valid, parsed.errors
    pupil = parsed.send_rows[1][make_upn(1)]
    assert (pupil.upn, pupil.provision, pupil.primary_need, pupil.year_group) == (
        make_upn(1),
        "K",
        "ASD",
        "4",
    )
    assert parsed.no_sen_upns[1] == {make_upn(2)}  # a blank provision means no SEN


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "census.csv", "The file is empty"),
        (b"   \r\n", "census.csv", "The file is empty"),
        (census_csv([]), "census.csv", "a header but no pupil rows"),
        (census_csv([row(1)]), "census.xlsx", "must be a CSV file"),
        (b"PK\x03\x04rest-of-a-zip", "census.csv", "spreadsheet (Excel) file"),
        (b"UPN,Surname\x00\x01", "census.csv", "not a CSV text file"),
        (b"\xff\xfeU\x00P\x00N\x00", "census.csv", "UTF-16"),
        (
            b"UPN,Surname,Forename,DOB,Gender,SENProvision\r\n",
            "census.csv",
            "no YearGroup, PrimaryNeed columns",
        ),
        (b"UPN,Unique Pupil Number,Surname\r\n", "census.csv", "Two columns mean UPN"),
    ],
)
def test_files_that_cannot_be_a_census_are_refused_with_a_clear_message(data, name, message):
    with pytest.raises(CensusFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check(data, name=name)


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(CensusFileError, match="largest census file accepted is 1 MB"):
        check(census_csv([row(1)]) + b" " * 1_048_576, max_bytes=1_048_576)


def test_progress_is_reported_while_reading():
    seen = []
    rows = [row(i, "N") for i in range(12000)]
    check(census_csv(rows), progress=lambda done, total: seen.append((done, total)))
    assert len(seen) >= 3 and seen[-1][0] == seen[-1][1]


def test_header_is_the_canonical_one():
    assert ",".join(HEADER) == (
        "UPN,Surname,Forename,DOB,Gender,YearGroup,SENProvision,PrimaryNeed,SecondaryNeed"
    )


def test_a_file_is_read_in_chunks_with_the_same_result_as_its_bytes(monkeypatch, tmp_path):
    from pupils import census

    rows = [row(1, surname="Ó Briain–Zoë"), row(2, "N"), row(3, "E", "ASD", "SLCN")]
    for data in (
        census_csv(rows),
        census_csv(rows, bom=True),
        census_csv(rows, encoding="cp1252"),
        census_csv(rows, encoding="cp1252", bom=True),
    ):
        whole = check(data)
        # Chunks of 7 bytes: a character of two or three bytes is split between chunks.
        monkeypatch.setattr(census, "CHUNK_BYTES", 7)
        path = tmp_path / "census.csv"
        path.write_bytes(data)
        with path.open("rb") as f:
            chunked = check(f)
            assert not f.closed  # the caller's file is left open
        monkeypatch.undo()
        assert (chunked.sha256, chunked.file_size, chunked.rows) == (whole.sha256, whole.file_size, 3)
        assert chunked.send_rows == whole.send_rows and chunked.no_sen_upns == whole.no_sen_upns
        assert chunked.send_rows[1][make_upn(1)].surname == "Ó Briain–Zoë"


def test_a_byte_that_is_not_utf_8_late_in_the_file_makes_it_windows_1252(monkeypatch):
    from pupils import census

    monkeypatch.setattr(census, "CHUNK_BYTES", 64)
    rows = [row(i, "N") for i in range(1, 20)] + [row(20, surname="Zoë")]
    parsed = check(census_csv(rows, encoding="cp1252"))
    assert parsed.is_valid and parsed.send_rows[1][make_upn(20)].surname == "Zoë"
    with pytest.raises(CensusFileError, match="not UTF-8 or Windows-1252"):
        check(census_csv(rows, encoding="cp1252") + b"\x81\r\n")


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf", b"\xef\xbb\xbf \r\n\t", b"\r\n\r\n"])
def test_a_file_of_only_a_byte_order_mark_or_blank_lines_is_empty(data):
    with pytest.raises(CensusFileError, match="The file is empty"):
        check(data)


def test_every_error_of_a_row_is_reported_in_the_order_of_its_columns():
    bad = row(2, "E", "NSA", gender="Q", dob="2016-13-01", upn="BAD")
    bad.update(School="9999999", Surname="")
    found = errors_of([row(1, School="8811001"), bad])
    assert [(line, column) for line, column, _ in found] == [
        (3, "School"),
        (3, "UPN"),
        (3, "PrimaryNeed"),
        (3, "DOB"),
        (3, "Gender"),
        (3, "Surname"),
    ]


def test_checks_remembered_for_one_row_apply_to_each_row_with_the_same_cells():
    rows = [row(i, "K", "SLCN", gender="Q") for i in range(1, 4)]
    rows += [row(i, "N", dob="1960-01-01") for i in range(4, 6)]
    found = errors_of(rows)
    assert found == [(n, "Gender", "the gender must be M, F or U") for n in (2, 3, 4)] + [
        (n, "DOB", "the date of birth gives an impossible age (65) at school") for n in (5, 6)
    ]
