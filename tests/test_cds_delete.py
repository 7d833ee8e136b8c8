"""One rule for CDS/CDNSKEY forms and the delete request (RFC 7344 §4, RFC 8078 §4), shared by
the live check and `zone`."""

from __future__ import annotations

import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest
from dns.rdtypes.ANY.CDNSKEY import CDNSKEY
from dns.rdtypes.ANY.CDS import CDS

from dnssec_doctor.dnssec.cdsdelete import LoneRequest, delete_request, lone_request

CDS_DELETE = "0 0 0 00"
CDNSKEY_DELETE = "0 3 0 AA=="
ORDINARY_CDS = "12345 13 2 " + "AB" * 32
ORDINARY_CDNSKEY = "257 3 13 " + "A" * 88


def cds(text: str) -> CDS:
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.CDS, text)
    assert isinstance(rdata, CDS)
    return rdata


def cdnskey(text: str) -> CDNSKEY:
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.CDNSKEY, text)
    assert isinstance(rdata, CDNSKEY)
    return rdata


def test_no_algorithm_zero_record_is_no_request() -> None:
    assert delete_request([cds(ORDINARY_CDS)], [cdnskey(ORDINARY_CDNSKEY)]) is None
    assert delete_request([], []) is None


def test_the_exact_pair_is_a_well_formed_request() -> None:
    request = delete_request([cds(CDS_DELETE)], [cdnskey(CDNSKEY_DELETE)])
    assert request is not None
    assert not request.malformed
    assert request.alone == ""


@pytest.mark.parametrize(
    ("cds_set", "cdnskey_set", "alone"),
    [([CDS_DELETE], [], "CDS"), ([], [CDNSKEY_DELETE], "CDNSKEY")],
)
def test_one_form_alone_is_legal_and_said(
    cds_set: list[str], cdnskey_set: list[str], alone: str
) -> None:
    request = delete_request([cds(t) for t in cds_set], [cdnskey(t) for t in cdnskey_set])
    assert request is not None
    assert not request.malformed
    assert request.alone == alone


def test_a_delete_record_beside_ordinary_records_is_mixed() -> None:
    request = delete_request([cds(CDS_DELETE), cds(ORDINARY_CDS)], [cdnskey(CDNSKEY_DELETE)])
    assert request is not None and request.mixed and request.malformed
    across = delete_request([cds(CDS_DELETE)], [cdnskey(ORDINARY_CDNSKEY)])
    assert across is not None and across.mixed


def test_wrong_values_are_named_record_by_record() -> None:
    request = delete_request([cds("1 0 0 00")], [cdnskey("0 3 0 AQ==")])
    assert request is not None and not request.mixed and request.malformed
    assert [r.to_text() for r in request.bad_cds] == ["1 0 0 00"]
    assert [r.to_text() for r in request.bad_cdnskey] == ["0 3 0 AQ=="]


@pytest.mark.parametrize(
    ("cds_set", "cdnskey_set", "lone"),
    [
        ([ORDINARY_CDS], [], LoneRequest("CDS", "CDNSKEY", delete=False)),
        ([], [ORDINARY_CDNSKEY], LoneRequest("CDNSKEY", "CDS", delete=False)),
        ([CDS_DELETE], [], LoneRequest("CDS", "CDNSKEY", delete=True)),
        ([], [CDNSKEY_DELETE], LoneRequest("CDNSKEY", "CDS", delete=True)),
        ([ORDINARY_CDS], [ORDINARY_CDNSKEY], None),  # both forms: they must agree instead
        ([CDS_DELETE], [CDNSKEY_DELETE], None),
        ([], [], None),
        (["1 0 0 00"], [], None),  # malformed: ignored by parents in any form
        ([CDS_DELETE, ORDINARY_CDS], [], None),  # mixed
    ],
)
def test_a_request_in_one_form_only(
    cds_set: list[str], cdnskey_set: list[str], lone: LoneRequest | None
) -> None:
    assert lone_request([cds(t) for t in cds_set], [cdnskey(t) for t in cdnskey_set]) == lone
