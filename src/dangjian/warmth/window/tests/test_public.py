import io

from django.core.files.base import ContentFile
from django.urls import reverse


def test_the_public_page_shows_the_window_its_benchmark_and_the_materials(client, window):
    w = window.window
    page = client.get(reverse("window:public", args=[w.public_token]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "东湖县局办证窗口" in body and "0797-1234567" in body
    assert "党员服务标杆" in body and "张三" in body
    assert "经营场所使用证明" in body and "授权委托书" in body
    secretary = window.cast.people.secretary
    assert secretary.phone not in body and secretary.id_number not in body


def test_an_unknown_or_inactive_window_is_404(client, window):
    assert client.get(reverse("window:public", args=["nope"])).status_code == 404
    window.window.is_active = False
    window.window.save()
    assert (
        client.get(reverse("window:public", args=[window.window.public_token])).status_code == 404
    )


def test_only_the_benchmarks_photo_is_public(client, window):
    from PIL import Image

    token = window.window.public_token
    assert client.get(reverse("window:public_photo", args=[token])).status_code == 404
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buf, "JPEG")
    window.cast.people.secretary.photo.save("p.jpg", ContentFile(buf.getvalue()))
    response = client.get(reverse("window:public_photo", args=[token]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
