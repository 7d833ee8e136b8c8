"""Built-in defaults: the IANA root servers and root trust anchors.

Tests never use these (no packet leaves loopback in tests); they pass the lab's
root hints and trust anchor.
"""

from __future__ import annotations

ROOT_SERVER_ADDRESSES: tuple[str, ...] = (
    "198.41.0.4",  # a.root-servers.net
    "170.247.170.2",  # b
    "192.33.4.12",  # c
    "199.7.91.13",  # d
    "192.203.230.10",  # e
    "192.5.5.241",  # f
    "192.112.36.4",  # g
    "198.97.190.53",  # h
    "192.36.148.17",  # i
    "192.58.128.30",  # j
    "193.0.14.129",  # k
    "199.7.83.42",  # l
    "202.12.27.33",  # m
    "2001:503:ba3e::2:30",
    "2801:1b8:10::b",
    "2001:500:2::c",
    "2001:500:2d::d",
    "2001:500:a8::e",
    "2001:500:2f::f",
    "2001:500:12::d0d",
    "2001:500:1::53",
    "2001:7fe::53",
    "2001:503:c27::2:30",
    "2001:7fd::1",
    "2001:500:9f::42",
    "2001:dc3::35",
)

ROOT_TRUST_ANCHORS: tuple[str, ...] = (
    # KSK-2017 and KSK-2024 (https://data.iana.org/root-anchors/root-anchors.xml)
    ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
    ". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
)
