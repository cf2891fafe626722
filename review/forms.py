from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.tif,.tiff"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files:
            raise forms.ValidationError("Choose at least one file.", code="required")
        # Content checks happen in the intake service (one place for every channel); here only presence.
        return files


class UploadForm(forms.Form):
    files = MultipleFileField(label="Invoice files", help_text="PDF, PNG, JPEG or TIFF; up to 10 MB each.")


# --- the invoice review screen (issue 5) ------------------------------------------------------------------------
class ReviewSaveForm(forms.Form):
    """What the review screen posts: each contract field's value, the value shown when the page loaded
    (``was_<name>``), an optional confirmation of an unchanged value, the line item rows and the version.

    Only collects; the values are validated by the services (one place for every channel).
    """

    version = forms.IntegerField(min_value=1)
    li_dirty = forms.BooleanField(required=False)

    def __init__(self, *args, field_names: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.field_names = field_names
        for name in field_names:
            self.fields[f"f_{name}"] = forms.CharField(required=False, strip=True, max_length=2000)
            self.fields[f"was_{name}"] = forms.CharField(required=False, strip=True, max_length=2000)
            self.fields[f"confirm_{name}"] = forms.BooleanField(required=False)

    def submitted_values(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(f"f_{name}", "") for name in self.field_names}

    def changes(self) -> dict[str, str]:
        """Fields the person changed, or confirmed as they are (a confirmation sends the unchanged value)."""
        out = {}
        for name in self.field_names:
            value = self.cleaned_data.get(f"f_{name}", "")
            if value != self.cleaned_data.get(f"was_{name}", "") or self.cleaned_data.get(f"confirm_{name}"):
                out[name] = value
        return out

    def line_items(self) -> list[dict[str, str]]:
        """The posted line item rows, in order (the four columns are parallel lists)."""
        columns = {k: self.data.getlist(f"li_{k}") for k in ("description", "quantity", "unit_price", "amount")}
        count = max((len(v) for v in columns.values()), default=0)
        return [
            {k: (columns[k][i] if i < len(columns[k]) else "").strip() for k in columns}
            for i in range(min(count, 500))
        ]
