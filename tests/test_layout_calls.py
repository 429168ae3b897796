"""How layouts call Python: render._Context calls a plain function directly, skipping Jinja's
Context.call (a tenth of a page's render), and answers as Jinja's in every other case."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2.runtime import Context

from conftest import build_ok, two_editions
from epaper.site.render import Renderer, _Context


class Greeter:
    """A callable object whose __call__ wants the context, as Jinja lets a class ask."""

    @jinja2.pass_context
    def __call__(self, context: Context, name: str) -> str:
        return f"{context['greeting']} {name}"

    def method(self, word: str, *, twice: bool = False) -> str:
        return word * 2 if twice else word


class Word:
    """A class a layout makes an object of (classes go through Jinja's call)."""

    def __init__(self, text: str) -> None:
        self.text = text


def stops() -> str:
    raise StopIteration


SOURCE = ("{% macro box(x) %}[{{ x }}]{% endmacro %}"
          "{{ plain('a', 'b') }}|{{ greeter.method('x', twice=true) }}|{{ len('abc') }}|{{ greeter('you') }}"
          "|{{ ctx_fn() }}|{{ env_fn() }}|{{ eval_fn() }}|{{ box('m') }}|{{ stops() }}|{{ Word('k').text }}"
          "|{% for i in range(2) %}{% set greeting = 'hey' %}{{ ctx_fn() }}{% endfor %}")


def _render(context_class: type[Context]) -> str:
    env = jinja2.Environment(autoescape=True)
    env.context_class = context_class
    env.globals.update(
        plain=lambda *words: "-".join(words), greeter=Greeter(), len=len, stops=stops, Word=Word,
        ctx_fn=jinja2.pass_context(lambda context: context["greeting"]),
        env_fn=jinja2.pass_environment(lambda environment: environment.autoescape),
        eval_fn=jinja2.pass_eval_context(lambda eval_ctx: eval_ctx.autoescape), greeting="hello")
    return env.from_string(SOURCE).render()


def test_layout_calls_answer_as_jinjas_own_context_does() -> None:
    expected = _render(Context)
    assert expected == "a-b|xx|3|hello you|hello|True|True|[m]||k|heyhey"
    assert _render(_Context) == expected


def test_the_renderer_calls_a_layouts_plain_functions_without_jinjas_context_call(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from epaper.site.pages import plan
    site = make_site(two_editions())
    result, _ = build_ok(site)
    assert result.site is not None
    through_jinja: list[str] = []
    real = Context.call

    def counting(self: Context, obj: Any, *args: Any, **kwargs: Any) -> Any:
        through_jinja.append(getattr(obj, "__name__", type(obj).__name__))
        return real(self, obj, *args, **kwargs)

    monkeypatch.setattr(Context, "call", counting)
    renderer = Renderer(site, result.site)
    job = next(j for j in plan(result.site) if j.template == "article.html")
    html = renderer.render(job).decode("utf-8")
    assert 'class="qr-code"' in html and "/assets/" in html  # qr_svg(), asset(), url() were called
    assert not {"url", "asset", "qr_svg", "abs_url"} & set(through_jinja), through_jinja


def test_a_layouts_globals_are_one_plain_dict_with_every_global_of_the_renderer(
        make_site: Callable[..., Path]) -> None:
    """Jinja's ChainMap of a template's globals is copied and asked in Python at each include and
    import; the renderer's are one dict (render._Environment), set before any layout loads."""
    site = make_site(two_editions())
    result, _ = build_ok(site)
    assert result.site is not None
    renderer = Renderer(site, result.site)
    for name in ("base.html", "article.html", "partials/masthead.html"):
        layout_globals = renderer.env.get_template(name).globals
        assert type(layout_globals) is dict
        assert all(layout_globals[key] is value for key, value in renderer.env.globals.items())
