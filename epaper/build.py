"""The pipeline, top to bottom: load -> resolve -> render -> write."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .errors import BuildError, Diagnostics
from .load import load_site
from .model import SiteData
from .render import Output, render_site
from .resolve import resolve
from .write import WriteReport, check_output_dir, write_site


@dataclass(frozen=True)
class Options:
    """What a build is asked to do; the command line fills it in."""

    site: Path = Path(".")
    out: Optional[Path] = None  # default: SITE/public
    drafts: bool = False
    future: bool = False
    now: Optional[dt.datetime] = None
    base_url: Optional[str] = None
    strict: bool = False


@dataclass
class Result:
    """What a build did, for the command line and the dev server to report."""

    site: Optional[SiteData]
    outputs: list[Output]
    report: Optional[WriteReport]
    diagnostics: Diagnostics


def _stop_on_errors(diags: Diagnostics, strict: bool) -> None:
    if diags.has_errors() or (strict and diags.warnings):
        raise BuildError(sorted(diags.errors + diags.warnings))


def check(options: Options) -> Result:
    """Load and resolve everything, future editions included, as build would; write nothing."""
    diags = Diagnostics()
    loaded = load_site(options.site, diags, options.base_url)                    # 1. read
    site = None
    if loaded is not None:
        site = resolve(loaded, diags, future=True, now=options.now)  # 2. validate
    _stop_on_errors(diags, options.strict)
    return Result(site, [], None, diags)


def build(options: Options) -> Result:
    """The whole build; raises BuildError with every content error, writing nothing then."""
    out = options.out or options.site / "public"
    check_output_dir(out, options.site)
    diags = Diagnostics()
    loaded = load_site(options.site, diags, options.base_url)                         # 1. load
    if loaded is None:  # no usable config.yaml: nothing else can be checked
        _stop_on_errors(diags, options.strict)
    assert loaded is not None
    site = resolve(loaded, diags, drafts=options.drafts, future=options.future,      # 2. resolve
                   now=options.now)
    _stop_on_errors(diags, options.strict)
    outputs = render_site(options.site, site, diags)                                 # 3. render
    _stop_on_errors(diags, options.strict)
    report = write_site(outputs, site.static_files, out)                             # 4. write
    return Result(site, outputs, report, diags)
