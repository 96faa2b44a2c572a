"""The ClaimReview import page's form (claims/views/imports.py)."""

from django import forms

from .claimreview import MAX_BYTES


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
