from django import forms

from claims.importers.claimreview import MAX_BYTES


class ClaimReviewImportForm(forms.Form):
    file = forms.FileField(
        required=False,
        label="ClaimReview JSON-LD file",
        help_text="A ClaimReview, a list or @graph of them, a DataFeed, or a Fact Check Tools "
        "API answer (.json / .jsonld).",
    )
    url = forms.URLField(
        required=False,
        label="…or its web address",
        assume_scheme="https",
        max_length=2000,
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size // 1024:,} KB; the limit is {MAX_BYTES // 1024:,} KB."
            )
        return upload

    def clean_url(self):
        url = self.cleaned_data.get("url") or ""
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Only http:// and https:// addresses can be fetched.")
        return url

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("file") and not data.get("url"):
            raise forms.ValidationError("Choose a file to upload or give its web address.")
        if data.get("file") and data.get("url"):
            raise forms.ValidationError("Give a file or a web address, not both.")
        return data


class CorrectionForm(forms.Form):
    """Corrected verdict text; the services check it again."""

    rating = forms.ModelChoiceField(queryset=None, empty_label=None)
    summary = forms.CharField(max_length=300, label="Summary (one line, for readers)")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Correction note (shown to readers, dated)",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from claims.models import Rating

        self.fields["rating"].queryset = Rating.objects.filter(active=True, scale="default")


class CorrectionDecisionForm(forms.Form):
    """An editor approves or returns a proposed correction."""

    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
