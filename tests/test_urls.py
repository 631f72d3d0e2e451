"""The manual's addresses, worked out in one module (manual/render/urls.py), versioned or not."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from manual.editions import Edition, Entry
from manual.merge import merge
from manual.render import urls
from manual.validate import check_tree

SITE = "https://manual.example/"  # (tests/fixtures/base/manual.yml)


@pytest.fixture
def manual(base_tree):
    return merge(check_tree(base_tree))


def _edition(name: str, ids: list[str]) -> Edition:
    return Edition(name=name, released=dt.date(2026, 11, 22), source_commit="0" * 40, languages=("en", "fr"),
                   entries={cid: Entry(id=cid, city=cid.split("-")[0], path="", title="", language="en",
                                       themes=(), state="published") for cid in ids})


def test_before_any_edition_the_short_address_is_the_page(manual) -> None:
    assert not urls.is_versioned(manual)
    assert urls.permanent_address(manual, "fr", "nice-001", "nice-001-r1") == \
        f"{SITE}fr/contributions/nice-001/#nice-001-r1"
    assert urls.address(manual, "en", urls.page_url(urls.page_of("nice-001"))) == f"{SITE}en/contributions/nice-001/"


def test_an_edition_cites_its_own_pages_and_the_living_version_the_short_address(manual) -> None:
    editions = [_edition("2026", ["nice-001"])]
    living = dataclasses.replace(manual, editions=editions)
    edition = dataclasses.replace(manual, editions=editions, version="2027")
    assert urls.is_versioned(living) and urls.version_folder(living) == "living/"
    assert urls.permanent_address(living, "en", "nice-001") == f"{SITE}en/contributions/nice-001/"
    assert urls.permanent_address(edition, "en", "nice-001", "nice-001-r1") == \
        f"{SITE}en/2027/contributions/nice-001/#nice-001-r1"
    members = dataclasses.replace(living, members=True)
    assert not urls.is_versioned(members)


def test_the_short_address_leads_to_the_newest_edition_that_holds_it(manual) -> None:
    editions = [_edition("2026", ["nice-001", "madrid-001"]), _edition("2027", ["nice-001"]),
                dataclasses.replace(_edition("2028-consultation", ["nice-001"]), draft=True)]
    living = dataclasses.replace(manual, editions=editions)
    assert urls.newest_holders(living, "en", {"2026", "2027", "2028-consultation"}) == \
        {"madrid-001": "2026", "nice-001": "2027"}
    assert urls.newest_holders(living, "en", {"2026"}) == {"madrid-001": "2026", "nice-001": "2026"}
    assert urls.newest_holders(living, "en", set()) == {"madrid-001": "living", "nice-001": "living"}


@pytest.mark.parametrize(("path", "expected"), [("en/living/contributions/nice-001/", "nice-001"),
                                                ("/fr/contributions/madrid-001/original/", "madrid-001"),
                                                ("en/2026/themes/drones/", None), ("contributions/", None)])
def test_which_practice_a_page_shows(path: str, expected: str | None) -> None:
    assert urls.contribution_in(path) == expected
