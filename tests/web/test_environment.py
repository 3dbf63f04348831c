"""The template environment (homes_qa.web.environment): Jinja's globals with a dict's keys."""
from __future__ import annotations

from homes_qa.web.environment import TemplateGlobals


def test_a_templates_globals_are_the_environments_and_its_own(app):
    with app.test_request_context("/"):
        env = app.jinja_env
        template = env.from_string("{{ own }} {{ later }}", globals={"own": "mine"})
        assert isinstance(template.globals, TemplateGlobals)
        env.globals["later"] = "added after the template was made"  # a ChainMap still shows it
        try:
            assert template.render() == "mine added after the template was made"
            assert set(template.globals.keys()) == set(env.globals) | {"own"}
            assert type(template.globals.keys()) is type({}.keys())  # the set difference in C
        finally:
            del env.globals["later"]

