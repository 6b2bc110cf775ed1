"""The audit log in words: its records (entities), its actions and who did them."""

from __future__ import annotations

from pages.admin.lang import say

# --- the audit log's entities and actions ---
ENTITY_WORDS: dict[str, tuple[str, str]] = {
    "order": ("Pesanan", "Order"),
    "assignment": ("Kursi pelanggan", "Customer seat"),
    "account": ("Akun ChatGPT", "ChatGPT account"),
    "product": ("Paket", "Package"),
    "admin": ("Admin", "Admin"),
    "workspace_task": ("Tugas workspace", "Workspace task"),
    "setting": ("Pengaturan toko", "Shop setting"),
    "manual_payment": ("Pembayaran manual", "Manual payment"),
    "settings": ("Pengaturan toko", "Shop settings"),
    "customer": ("Pelanggan", "Customer"),
    "promo_code": ("Kode promo", "Promo code"),
    "waitlist": ("Daftar tunggu", "Waiting list"),
}
ACTION_WORDS: dict[str, tuple[str, str]] = {
    "order.create": ("Pesanan dibuat", "Order created"),
    "order.checkout": ("Pembayaran dibuka di gateway", "Payment opened at the gateway"),
    "order.payment_failover": ("Gateway cadangan dipakai", "Backup gateway used"),
    "order.fulfil": ("Dibayar, kursi diberikan", "Paid, seat given"),
    "order.pending_stock": ("Dibayar, menunggu stok", "Paid, waiting for stock"),
    "order.expire": ("Tidak dibayar sampai batas waktu", "Not paid in time"),
    "order.fail": ("Pembayaran gagal", "Payment failed"),
    "order.amount_mismatch": ("Jumlah bayar berbeda, perlu diperiksa", "Amount differs, needs review"),
    "order.review_accept": ("Pembayaran berbeda diterima", "Differing payment accepted"),
    "order.refund": ("Dikembalikan (refund)", "Refunded"),
    "order.mark_paid": ("Ditandai dibayar oleh admin", "Marked paid by an admin"),
    "order.resend_access": ("E-mail akses dikirim ulang", "Access e-mail resent"),
    "order.renewal_create": ("Perpanjangan dipesan", "Renewal ordered"),
    "order.renew": ("Perpanjangan dibayar", "Renewal paid"),
    "order.renew_elsewhere": ("Perpanjangan mendapat kursi di akun lain", "Renewal seated on another account"),
    "order.login_code_shown": ("Kode login ditampilkan ke pelanggan", "Login code shown to the customer"),
    "order.refund_request": ("Pelanggan meminta refund", "Customer asked for a refund"),
    "assignment.create": ("Kursi diberikan", "Seat given"),
    "assignment.move": ("Dipindah ke akun lain", "Moved to another account"),
    "assignment.move_out": ("Dipindah keluar dari akun ini", "Moved off this account"),
    "assignment.extend": ("Masa aktif diperpanjang", "Extended"),
    "assignment.expire": ("Masa aktif habis", "Expired"),
    "assignment.revoke": ("Kursi dicabut", "Seat revoked"),
    "assignment.reinvite": ("Diundang lagi", "Invited again"),
    "assignment.remove_again": ("Dikeluarkan lagi", "Removed again"),
    "assignment.access_reported": ("Pelanggan melapor tak bisa masuk", "Customer reported no access"),
    "assignment.to_invite": ("Perlu diundang", "To invite"),
    "assignment.invited": ("Undangan terkirim", "Invitation sent"),
    "assignment.joined": ("Pelanggan bergabung ke workspace", "Customer joined the workspace"),
    "assignment.to_remove": ("Perlu dikeluarkan", "To remove"),
    "assignment.removed": ("Dikeluarkan dari workspace", "Removed from the workspace"),
    "assignment.renew": ("Diperpanjang oleh perpanjangan", "Extended by a renewal"),
    "assignment.renewal_refunded": ("Hari perpanjangan ditarik (refund)", "Renewal days taken back (refund)"),
    "account.create": ("Akun ditambahkan", "Account added"),
    "account.import": ("Akun diimpor dari CSV", "Account imported from CSV"),
    "account.update": ("Akun diubah", "Account changed"),
    "account.suspend": ("Akun ditangguhkan", "Account suspended"),
    "account.unsuspend": ("Akun diaktifkan lagi", "Account resumed"),
    "account.retire": ("Akun dipensiunkan", "Account retired"),
    "account.reveal_password": ("Kata sandi akun dilihat", "Account password viewed"),
    "account.health": ("Kesehatan akun berubah", "Account health changed"),
    "account.capacity_lowered": ("Kapasitas akun diturunkan", "Account capacity lowered"),
    "account.export": ("Akun diekspor ke CSV", "Accounts exported to CSV"),
    "account.login_notice": ("Pelanggan diberi tahu login baru", "Customers told the new login"),
    "account.renewal_reminded": ("Pengingat langganan akun dikirim", "Account renewal reminder sent"),
    "account.totp_set": ("Kunci TOTP disimpan", "TOTP key stored"),
    "account.totp_cleared": ("Kunci TOTP dihapus", "TOTP key removed"),
    "account.login_code_pasted": ("Kode verifikasi ditempel", "Verification code pasted"),
    "account.login_code_cleared": ("Kode verifikasi dihapus", "Verification code removed"),
    "product.create": ("Paket dibuat", "Package created"),
    "product.update": ("Paket diubah", "Package changed"),
    "admin.create": ("Admin dibuat", "Admin created"),
    "admin.login": ("Admin masuk", "Admin signed in"),
    "admin.disable": ("Admin dinonaktifkan", "Admin disabled"),
    "admin.enable": ("Admin diaktifkan", "Admin enabled"),
    "admin.reset_password": ("Kata sandi admin diatur ulang", "Admin password reset"),
    "admin.sign_out_everywhere": ("Keluar dari semua perangkat", "Signed out everywhere"),
    "admin.totp_on": ("Verifikasi dua langkah dinyalakan", "Two-step sign-in turned on"),
    "admin.totp_off": ("Verifikasi dua langkah dimatikan", "Two-step sign-in turned off"),
    "admin.recovery_code_used": ("Kode cadangan dipakai", "Recovery code used"),
    "admin.token_issue": ("Token API dibuat", "API token issued"),
    "admin.token_revoke": ("Token API dicabut", "API token revoked"),
    "promo.create": ("Kode promo dibuat", "Promo code created"),
    "promo.update": ("Kode promo diubah", "Promo code changed"),
    "promo.deactivate": ("Kode promo dihentikan", "Promo code stopped"),
    "promo.use": ("Kode promo dipakai", "Promo code used"),
    "waitlist.join": ("Masuk daftar tunggu", "Joined the waiting list"),
    "waitlist.notify": ("Daftar tunggu dikabari", "Waiting list told"),
    "settings.update": ("Pengaturan toko diubah", "Shop settings changed"),
    "customer.note": ("Catatan pelanggan diubah", "Customer note changed"),
}


def entity_word(entity: str, lang: str | None = None) -> str:
    id_text, en_text = ENTITY_WORDS.get(entity, ("Data lain", "Other record"))
    return say(id_text, en_text, lang)


def action_word(action: str, lang: str | None = None) -> str:
    """An audit action in words; one not listed reads as its entity's word and "diubah"."""
    if action in ACTION_WORDS:
        return say(*ACTION_WORDS[action], lang)
    return say(
        f"{entity_word(action.split('.')[0], 'id')} diubah", f"{entity_word(action.split('.')[0], 'en')} changed", lang
    )


def actor_word(actor: str, lang: str | None = None) -> str:
    """Who did it: an admin's e-mail, "Sistem", "Jadwal otomatis", "Workspace", "Pelanggan"."""
    if actor.startswith("admin:"):
        return actor.removeprefix("admin:")
    if actor.endswith("_webhook"):  # a gateway's callback
        provider = actor.removesuffix("_webhook").capitalize()
        return say(f"{provider} (pemberitahuan bayar)", f"{provider} (payment notice)", lang)
    return {
        "system": say("Sistem", "System", lang),
        "scheduler": say("Jadwal otomatis", "Scheduler", lang),
        "workspace": say("Workspace (otomatis)", "Workspace (automatic)", lang),
        "customer": say("Pelanggan", "Customer", lang),
        "api": say("Pelanggan lewat API pesanan", "Customer via the order API", lang),
        "deadline": say("Batas waktu bayar", "Payment deadline", lang),
        "tripay": "Tripay",
        "midtrans": "Midtrans",
    }.get(actor, actor)
