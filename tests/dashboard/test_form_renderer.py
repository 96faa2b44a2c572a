"""The Python widget renderer writes exactly what Django's widget templates write."""

from __future__ import annotations

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates

from claims.filters import ClaimFilter
from claims.forms import BULK_CLAIM_ACTIONS, BulkForm
from claims.models import Claim
from claims.views.common import tidy_filter_form
from factcheck.forms_renderer import PythonWidgetRenderer

NASTY = '"><script>alert(1)</script>&amp;'


class Everything(forms.Form):
    text = forms.CharField(max_length=20, help_text="help")
    number = forms.IntegerField(required=False, min_value=1)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField(required=False)
    agree = forms.BooleanField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    one = forms.ChoiceField(choices=[("", "—"), ("a", "A & B"), (NASTY, NASTY)], required=False)
    many = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "<Y>")], required=False, widget=forms.SelectMultiple({"size": 4})
    )
    grouped = forms.ChoiceField(
        choices=[("Group <1>", [("g1", "G1"), ("g2", "G2")]), ("plain", "Plain")], required=False
    )
    maybe = forms.NullBooleanField(required=False)
    radio = forms.ChoiceField(choices=[("r", "R")], widget=forms.RadioSelect, required=False)


def both(form_class, **kwargs):
    django_form = form_class(renderer=DjangoTemplates(), **kwargs)
    python_form = form_class(renderer=PythonWidgetRenderer(), **kwargs)
    return django_form, python_form


def test_the_project_renders_widgets_in_python():
    assert settings.FORM_RENDERER == "factcheck.forms_renderer.PythonWidgetRenderer"


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "text": NASTY,
            "number": "x",
            "email": NASTY,
            "url": "javascript:alert(1)",
            "password": NASTY,
            "hidden": NASTY,
            "date": "2026-01-02",
            "when": NASTY,
            "agree": "on",
            "notes": f"line\n{NASTY}",
            "one": NASTY,
            "many": ["x", "y"],
            "grouped": "g2",
            "maybe": "true",
            "radio": "r",
        },
    ],
)
def test_every_widget_is_written_as_django_writes_it(data):
    kwargs = {"data": data} if data is not None else {"initial": {"text": "<b>x</b>", "one": "a"}}
    django_form, python_form = both(Everything, **kwargs)
    if data is not None:
        django_form.is_valid()
        python_form.is_valid()
    for name in Everything.base_fields:
        assert str(python_form[name]) == str(django_form[name]), name
    assert "<script>" not in "".join(str(python_form[n]) for n in Everything.base_fields)


@pytest.mark.django_db
def test_the_claim_filter_and_bulk_bar_are_written_as_django_writes_them(checker):
    data = {"q": NASTY, "state": ["open", "assigned"], "overdue": "true", "publisher": NASTY}
    forms_ = []
    for renderer in (DjangoTemplates(), PythonWidgetRenderer()):
        claim_filter = ClaimFilter(data, queryset=Claim.objects.all())
        tidy_filter_form(claim_filter)
        claim_filter.form.renderer = renderer
        bulk = BulkForm(actions=BULK_CLAIM_ACTIONS, claim_ids=[], renderer=renderer)
        forms_.append((claim_filter.form, bulk))
    (django_filter, django_bulk), (python_filter, python_bulk) = forms_
    for name in django_filter.fields:
        assert str(python_filter[name]) == str(django_filter[name]), name
    for name in django_bulk.fields:
        assert str(python_bulk[name]) == str(django_bulk[name]), name
    assert 'value="open" selected' in str(python_filter["state"])
    assert "&lt;script&gt;" in str(python_filter["q"])
