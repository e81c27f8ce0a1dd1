import io

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.db.models import Min
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from dangjian.orgs.models import PartyOrg, Unit
from dangjian.platform import idcard
from dangjian.platform.forms import StyledFormMixin

from .models import Membership, Person

PHONE_MAX = 11


def reencode_photo(upload):
    """Accept only a real image within the size limit; store a re-encoded JPEG (drops EXIF)."""
    if upload.size > settings.PHOTO_MAX_MB * 1024 * 1024:
        raise forms.ValidationError(_("照片不能超过 %(mb)s MB") % {"mb": settings.PHOTO_MAX_MB})
    try:
        image = Image.open(upload)
        image.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise forms.ValidationError(_("照片不是有效的图片文件")) from exc
    if image.width * image.height > 40_000_000:
        raise forms.ValidationError(_("照片尺寸过大"))
    image = image.convert("RGB")
    image.thumbnail((800, 1000))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return InMemoryUploadedFile(out, "photo", "photo.jpg", "image/jpeg", out.tell(), None)


class PersonForm(StyledFormMixin, forms.ModelForm):
    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    phone = forms.CharField(label=_("手机号码"), max_length=PHONE_MAX, required=False)

    class Meta:
        model = Person
        fields = [
            "name",
            "id_number",
            "gender",
            "birth_date",
            "ethnicity",
            "education",
            "unit",
            "post",
            "title",
            "phone",
            "employed_on",
            "left_on",
            "photo",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "employed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "left_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.restrict(actor, "view")
        self.fields["birth_date"].required = False
        self.fields["birth_date"].help_text = _("留空则按身份证号自动填写")
        self.fields["gender"].required = False

    def clean_id_number(self):
        value = idcard.normalise(self.cleaned_data["id_number"])
        birth, gender = idcard.parse(value)
        self._id_birth, self._id_gender = birth, gender
        from dangjian.platform.crypto import lookup_hash

        clash = Person.objects.filter(id_number_hash=lookup_hash(value))
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("该身份证号已登记"))
        return value

    def clean_phone(self):
        value = (self.cleaned_data.get("phone") or "").strip()
        if value and not (value.isdigit() and len(value) == 11 and value.startswith("1")):
            raise forms.ValidationError(_("手机号码应为以1开头的11位数字"))
        return value

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):
            return reencode_photo(photo)
        return photo

    def clean(self):
        data = super().clean()
        if hasattr(self, "_id_birth"):
            if not data.get("birth_date"):
                data["birth_date"] = self._id_birth
                self.instance.birth_date = self._id_birth
            if not data.get("gender"):
                data["gender"] = self._id_gender
                self.instance.gender = self._id_gender
        return data

    def _post_clean(self):
        # Fill derived values before model validation compares them with the ID number.
        if hasattr(self, "_id_birth"):
            self.cleaned_data.setdefault("birth_date", self._id_birth)
        super()._post_clean()


class MembershipForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = [
            "branch",
            "group",
            "status",
            "standing",
            "standing_since",
            "joined_on",
            "full_member_on",
            "is_mobile",
            "is_lost",
        ]
        widgets = {
            f: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for f in ("standing_since", "joined_on", "full_member_on")
        }

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = PartyOrg.objects.restrict(actor, "view")
        self.fields["branch"].queryset = orgs.filter(kind=PartyOrg.Kind.BRANCH)
        self.fields["group"].queryset = orgs.filter(kind=PartyOrg.Kind.GROUP)


class PersonFilterForm(StyledFormMixin, forms.Form):
    branch = forms.ModelChoiceField(
        queryset=PartyOrg.objects.none(),
        required=False,
        label=_("党组织"),
        empty_label=_("全部党组织"),
    )
    status = forms.ChoiceField(
        choices=[
            ("", _("全部人员")),
            ("member", _("党员")),
            *Membership.Status.choices,
            ("none", _("非党员")),
        ],
        required=False,
        label=_("类别"),
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Two levels below the user's top organisations (a city: 党总支 and 党支部; the
        # nation: provinces and cities) — a national office must not get 2 000 options.
        orgs = PartyOrg.objects.restrict(actor, "view").exclude(kind=PartyOrg.Kind.GROUP)
        top = orgs.aggregate(top=Min("depth"))["top"] or 1
        self.fields["branch"].queryset = orgs.filter(depth__lte=top + 2).order_by("path")
