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


def test_an_import_from_a_page_reuses_the_imported_templates_module(app):
    """Each page's imports (`{% from "_pagination.html" import … %}`) subtract the importer's
    global names from the imported template's: none left over, so Jinja's cached module is used."""
    with app.test_request_context("/"):
        env = app.jinja_env
        imported, page = env.get_template("_pagination.html"), env.get_template("base.html")
        context = page.new_context({})
        assert not context.globals_keys - imported.globals.keys()
        assert imported._get_default_module(context) is imported._get_default_module(context)
