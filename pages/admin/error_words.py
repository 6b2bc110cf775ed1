"""The domain's refusals (raised in English, for logs and the API) in the admin's language: matched by error class,
field and message pattern; one not known reads as a plain sentence of its kind, never the English or a code."""

from __future__ import annotations

import re
from collections.abc import Callable

from domain.shared.errors import Conflict, DomainError, IllegalTransition, NotFound, ValidationFailed
from pages.admin.words import admin_lang, state_word

# what each field of a form is called on the page (an unknown one: "Isian")
FIELD_WORDS: dict[str, tuple[str, str]] = {
    "email": ("E-mail", "E-mail"),
    "phone": ("Nomor WhatsApp", "WhatsApp number"),
    "name": ("Nama", "Name"),
    "password": ("Kata sandi", "Password"),
    "reason": ("Alasan", "Reason"),
    "note": ("Catatan", "Note"),
    "pool": ("Pool", "Pool"),
    "price_idr": ("Harga", "Price"),
    "amount_idr": ("Jumlah", "Amount"),
    "fee_idr": ("Biaya gateway", "Gateway fee"),
    "monthly_cost_idr": ("Biaya bulanan", "Monthly cost"),
    "max_seats": ("Jumlah kursi", "Seats"),
    "workspace_id": ("ID workspace", "Workspace ID"),
    "access_token": ("Token akses", "Access token"),
    "slug": ("Alamat paket", "Package address"),
    "duration_days": ("Lama (hari)", "Duration (days)"),
    "sort_order": ("Urutan", "Order"),
    "warranty_days": ("Garansi (hari)", "Warranty (days)"),
    "days": ("Jumlah hari", "Days"),
    "new_end_at": ("Tanggal berakhir baru", "New end date"),
    "code": ("Kode", "Code"),
    "role": ("Peran", "Role"),
    "display_name": ("Nama tampilan", "Display name"),
    "label": ("Catatan akun", "Account note"),
    "entity_id": ("ID", "ID"),
    "status": ("Status", "Status"),
    "health": ("Kesehatan", "Health"),
    "locale": ("Bahasa", "Language"),
    "file": ("Berkas CSV", "CSV file"),
    "allow_list": ("Daftar izin", "Allow-list"),
    "driver": ("Cara mengundang", "Invite mode"),
    "delivery": ("Cara pengiriman", "Delivery"),
    "customer_email": ("E-mail pelanggan", "Customer e-mail"),
    "to_account_id": ("Akun tujuan", "Target account"),
    "invite_state": ("Status undangan", "Invite state"),
    "state": ("Status undangan", "Invite state"),
    "amount": ("Jumlah", "Amount"),
    "description": ("Deskripsi", "Description"),
    "tagline": ("Slogan", "Tagline"),
    "support_email": ("E-mail bantuan", "Support e-mail"),
    "support_phone": ("WhatsApp bantuan", "Support WhatsApp"),
    # what audit entries record (their before/after columns)
    "order_id": ("Pesanan (ID)", "Order (ID)"),
    "chatgpt_account_id": ("Akun (ID)", "Account (ID)"),
    "start_at": ("Mulai", "Starts"),
    "end_at": ("Berakhir", "Ends"),
    "ended_at": ("Diakhiri", "Ended"),
    "end_reason": ("Alasan berakhir", "End reason"),
    "seats_used": ("Kursi terpakai", "Seats used"),
    "is_active": ("Aktif", "Active"),
    "is_popular": ("Populer", "Popular"),
    "assignment_id": ("Kursi (ID)", "Seat (ID)"),
    "sold_out_mode": ("Saat stok habis", "When sold out"),
    "paid_at": ("Dibayar", "Paid"),
    "paid_amount_idr": ("Jumlah dibayar", "Amount paid"),
    "subscription_expires_at": ("Langganan berakhir", "Subscription ends"),
    "order_code": ("Kode pesanan", "Order code"),
    "provider": ("Gateway", "Gateway"),
    "reference": ("Referensi", "Reference"),
    "method": ("Metode", "Method"),
    "product": ("Paket", "Package"),
    "price": ("Harga", "Price"),
}
VERBS = {
    "extended": ("diperpanjang", "extended"),
    "revoked": ("dicabut", "revoked"),
    "moved": ("dipindah", "moved"),
    "suspend": ("ditangguhkan", "suspended"),
    "unsuspend": ("diaktifkan lagi", "resumed"),
    "retire": ("dipensiunkan", "retired"),
}
GENERIC: dict[type[DomainError], tuple[str, str]] = {
    NotFound: (
        "Data yang diminta tidak ditemukan (mungkin sudah dihapus). Muat ulang halaman.",
        "What you asked for was not found (it may have been deleted). Reload the page.",
    ),
    IllegalTransition: (
        "Statusnya sudah berubah, jadi langkah ini tidak bisa dilakukan. Muat ulang halaman.",
        "Its state has changed, so this step cannot be done. Reload the page.",
    ),
    Conflict: (
        "Tidak bisa dilakukan dalam keadaan sekarang. Muat ulang halaman lalu coba lagi.",
        "This cannot be done right now. Reload the page and try again.",
    ),
    ValidationFailed: ("Isian tidak valid. Periksa lalu coba lagi.", "The input is not valid. Check it and try again."),
}
FALLBACK = ("Permintaan ditolak. Periksa isian lalu coba lagi.", "The request was refused. Check it and try again.")

Words = Callable[[re.Match[str], str], str]  # a pattern's match and the language -> the sentence


def field_word(name: str, lang: str | None = None, unknown: tuple[str, str] = ("Isian", "Field")) -> str:
    """A form's or a record's field by its name on the page ("Isian" when not listed, or `unknown`)."""
    id_text, en_text = FIELD_WORDS.get(name, unknown)
    return en_text if (lang or admin_lang()) == "en" else id_text


def _say(id_text: str, en_text: str) -> Words:
    """A sentence with {1}, {2}… for the match's groups and {field} for the first group as a field's name."""

    def words(match: re.Match[str], lang: str) -> str:
        groups = [match.group(0), *(g or "" for g in match.groups())]
        field = field_word(groups[1], lang) if len(groups) > 1 else ""
        return (en_text if lang == "en" else id_text).format(*groups, field=field)

    return words


def _states(kind: str, id_text: str, en_text: str, *state_groups: int) -> Words:
    """A sentence whose groups named in `state_groups` are states of `kind` (in words, not their codes)."""

    def words(match: re.Match[str], lang: str) -> str:
        groups = [match.group(0), *(g or "" for g in match.groups())]
        for index in state_groups:
            groups[index] = state_word(kind, groups[index], lang)
        return (en_text if lang == "en" else id_text).format(*groups)

    return words


def _verb(id_text: str, en_text: str, state_kind: str, state_group: int, verb_group: int) -> Words:
    def words(match: re.Match[str], lang: str) -> str:
        groups = [match.group(0), *(g or "" for g in match.groups())]
        groups[state_group] = state_word(state_kind, groups[state_group], lang)
        id_verb, en_verb = VERBS.get(groups[verb_group], ("diubah", "changed"))
        groups[verb_group] = en_verb if lang == "en" else id_verb
        return (en_text if lang == "en" else id_text).format(*groups)

    return words


F = r"(\w+)"  # a field's name
PATTERNS: list[tuple[str, Words]] = [
    (
        r"(.+) is neither an e-mail address nor a mobile number",
        _say("{1} bukan alamat e-mail maupun nomor HP", "{1} is neither an e-mail address nor a mobile number"),
    ),
    (
        r"order (\S+) is not waiting for a seat \((\w+)\)",
        _states(
            "order", "Pesanan {1} tidak sedang menunggu kursi ({2})", "Order {1} is not waiting for a seat ({2})", 2
        ),
    ),
    (r"the order's package is gone", _say("Paket pesanan ini sudah tidak ada", "The order's package is gone")),
    (
        r"(.+) is not a valid email address",
        _say("{1} bukan alamat e-mail yang sah", "{1} is not a valid e-mail address"),
    ),
    (
        r"(.+) is not an Indonesian mobile number \(08…, \+62…\)",
        _say("{1} bukan nomor HP Indonesia (08…, +62…)", "{1} is not an Indonesian mobile number (08…, +62…)"),
    ),
    (
        r"language (.+) is not offered \(id or en\)",
        _say("Bahasa {1} tidak tersedia (id atau en)", "Language {1} is not offered (id or en)"),
    ),
    (
        F + r" contains an unusable character \((U\+[0-9A-F]+)\)",
        _say("{field} berisi karakter yang tidak bisa dipakai ({2})", "{field} contains an unusable character ({2})"),
    ),
    (F + r" is required", _say("{field} wajib diisi", "{field} is required")),
    (
        F + r" is longer than (\d+) characters",
        _say("{field} lebih dari {2} karakter", "{field} is longer than {2} characters"),
    ),
    (
        F + r" must be a whole rupiah amount such as 75000 or 75\.000",
        _say(
            "{field} harus jumlah rupiah bulat, misalnya 75000 atau 75.000",
            "{field} must be whole rupiah, e.g. 75000 or 75.000",
        ),
    ),
    (
        F + r" must be between 1 and (\d+) rupiah",
        _say("{field} harus antara Rp 1 dan Rp {2}", "{field} must be between Rp 1 and Rp {2}"),
    ),
    (F + r" must be a whole number", _say("{field} harus bilangan bulat", "{field} must be a whole number")),
    (
        F + r" must be between (-?\d+) and (-?\d+)",
        _say("{field} harus antara {2} dan {3}", "{field} must be between {2} and {3}"),
    ),
    (
        F + r" must be a whole number from (-?\d+) to (\d+)(?: \(.*\))?",
        _say("{field} harus bilangan bulat dari {2} sampai {3}", "{field} must be a whole number from {2} to {3}"),
    ),
    (
        F + r" must be a whole number of rupiah from 1 to (\d+)",
        _say("{field} harus rupiah bulat dari 1 sampai {2}", "{field} must be whole rupiah from 1 to {2}"),
    ),
    (
        r"max_seats (.+) is not a whole number from 1 to (\d+) \(empty = one customer\)",
        _say(
            "Jumlah kursi {1} harus bilangan bulat 1 sampai {2} (kosong = satu pelanggan)",
            "Seats {1} must be a whole number from 1 to {2} (empty = one customer)",
        ),
    ),
    (
        r"(.+) in the allow-list is not an e-mail address",
        _say("{1} di daftar izin bukan alamat e-mail", "{1} in the allow-list is not an e-mail address"),
    ),
    (
        r"the allow-list holds 200 addresses at most",
        _say("Daftar izin paling banyak 200 alamat", "The allow-list holds 200 addresses at most"),
    ),
    (
        r"delivery must be CREDENTIALS or INVITE, not .*",
        _say(
            "Pilih cara pengiriman: Login bersama atau Undangan workspace",
            "Choose a delivery: shared login or workspace invite",
        ),
    ),
    (
        r"a CREDENTIALS account needs its password",
        _say("Akun login bersama butuh kata sandinya", "A shared-login account needs its password"),
    ),
    (
        r"driver must be manual or chatgpt, not .*",
        _say("Pilih cara mengundang: Manual atau Otomatis (ChatGPT)", "Choose an invite mode: manual or automatic"),
    ),
    (
        F + r" is not a token \(no spaces, (\d+) characters at most\)",
        _say(
            "{field} bukan token (tanpa spasi, paling banyak {2} karakter)",
            "{field} is not a token (no spaces, {2} characters at most)",
        ),
    ),
    (
        r"workspace_id is letters, digits and .*",
        _say(
            "ID workspace hanya huruf, angka dan - _ . : (seperti tampil di ChatGPT)",
            "The workspace ID is letters, digits and - _ . : (as ChatGPT shows it)",
        ),
    ),
    (
        r"only an INVITE \(workspace\) account can be automated",
        _say("Hanya akun undangan workspace yang bisa otomatis", "Only a workspace-invite account can be automated"),
    ),
    (
        r"an automated workspace needs its workspace_id",
        _say("Workspace otomatis butuh ID workspace-nya", "An automated workspace needs its workspace ID"),
    ),
    (
        r"an automated workspace needs its access_token",
        _say("Workspace otomatis butuh token aksesnya", "An automated workspace needs its access token"),
    ),
    (
        r"account (\S+@\S+) is already in the pool",
        _say("Akun {1} sudah ada di daftar akun", "Account {1} is already in the pool"),
    ),
    (r"(\S+) is already in the pool", _say("{1} sudah ada di daftar akun", "{1} is already in the pool")),
    (r"(\S+) appears twice in the file", _say("{1} muncul dua kali di berkas", "{1} appears twice in the file")),
    (
        r"unknown account .*",
        _say("Akun tidak ditemukan (mungkin sudah dihapus)", "Account not found (it may have been deleted)"),
    ),
    (
        r"cannot change (.+) of an account",
        _say("Isian itu tidak bisa diubah pada akun", "That field cannot be changed on an account"),
    ),
    (
        r"cannot change (.+) of a package",
        _say("Isian itu tidak bisa diubah pada paket", "That field cannot be changed on a package"),
    ),
    (
        r"(\d+) seats are in use; capacity cannot drop to (.+)",
        _say(
            "{1} kursi sedang dipakai; kapasitas tidak bisa diturunkan ke {2}",
            "{1} seats are in use; capacity cannot drop to {2}",
        ),
    ),
    (
        r"pool and delivery mode can only change while no seat is in use",
        _say(
            "Pool dan cara pengiriman hanya bisa diubah saat tidak ada kursi terpakai",
            "Pool and delivery can only change while no seat is in use",
        ),
    ),
    (
        r"account (\S+) is (\w+); cannot (\w+) it",
        _verb("Akun {1} berstatus {2}; tidak bisa {3}", "Account {1} is {2}; it cannot be {3}", "account", 2, 3),
    ),
    (
        r"account (\S+) still has (\d+) active seat\(s\); move or revoke them first",
        _say(
            "Akun {1} masih punya {2} kursi aktif; pindahkan atau cabut dulu",
            "Account {1} still has {2} active seat(s); move or revoke them first",
        ),
    ),
    (
        r"the CSV needs a header row with at least an 'email' column",
        _say(
            "CSV butuh baris judul dengan minimal kolom 'email'",
            "The CSV needs a header row with at least an 'email' column",
        ),
    ),
    (
        r"the line has more columns than the header.*",
        _say(
            "Baris ini punya kolom lebih banyak dari judul: "
            'beri tanda kutip ganda pada kata sandi yang berisi koma ("pa,ss")',
            'The line has more columns than the header: quote a password that holds a comma ("pa,ss")',
        ),
    ),
    (
        r"slug (.+) must be lower-case letters, digits and dashes",
        _say(
            "Alamat paket {1} hanya boleh huruf kecil, angka dan tanda minus",
            "Package address {1} must be lower-case letters, digits and dashes",
        ),
    ),
    (
        r"price (Rp [\d.]+) is below (Rp [\d.]+), the least any enabled payment channel accepts",
        _say(
            "Harga {1} di bawah {2}, batas terendah kanal pembayaran yang aktif",
            "Price {1} is below {2}, the least any enabled channel accepts",
        ),
    ),
    (
        r"a package with slug (.+) already exists",
        _say("Paket dengan alamat {1} sudah ada", "A package with address {1} already exists"),
    ),
    (r"unknown package.*", _say("Paket tidak ditemukan", "Package not found")),
    (r"package (.+) is not for sale", _say("Paket {1} tidak dijual", "Package {1} is not for sale")),
    (
        r"no ENCRYPTION_KEY configured",
        _say(
            "Kunci enkripsi server belum diatur; hubungi teknisi",
            "The server's encryption key is not set; call your technician",
        ),
    ),
    (
        r"a token needs a name \(what uses it\)",
        _say("Token butuh nama (apa yang memakainya)", "A token needs a name (what uses it)"),
    ),
    (r"unknown admin .*", _say("Admin tidak ditemukan", "Admin not found")),
    (r"unknown token .*", _say("Token tidak ditemukan", "Token not found")),
    (
        r"an admin password needs at least (\d+) characters",
        _say("Kata sandi admin minimal {1} karakter", "An admin password needs at least {1} characters"),
    ),
    (r"admin (.+) already exists", _say("Admin {1} sudah ada", "Admin {1} already exists")),
    (
        r"only an owner can manage admins",
        _say("Hanya pemilik (owner) yang boleh mengatur admin", "Only an owner can manage admins"),
    ),
    (
        r"you cannot disable your own account",
        _say("Anda tidak bisa menonaktifkan akun Anda sendiri", "You cannot disable your own account"),
    ),
    (r"role is owner or staff", _say("Peran harus pemilik (owner) atau staf", "The role is owner or staff")),
    (
        r"the code does not match.*",
        _say(
            "Kode tidak cocok: periksa jam di HP lalu ketik kode terbaru",
            "The code does not match: check the phone's clock and type the newest code",
        ),
    ),
    (
        F + r" (.+) is not one of .*",
        _say("{field} {2} bukan pilihan yang tersedia", "{field} {2} is not one of the choices"),
    ),
    (
        r"only an automated workspace has an allow-list",
        _say("Hanya workspace otomatis yang punya daftar izin", "Only an automated workspace has an allow-list"),
    ),
    (
        r"the workspace worker is on this seat right now.*",
        _say(
            "Proses otomatis sedang menangani kursi ini; kalau gagal, kursi muncul lagi di antrean",
            "The automatic worker is on this seat right now; it shows in the queue again if it fails",
        ),
    ),
    (
        r"account (\S+) has no used seat to free",
        _say("Akun {1} tidak punya kursi terpakai untuk dibebaskan", "Account {1} has no used seat to free"),
    ),
    (r"account (\S+) has no free seat", _say("Akun {1} tidak punya kursi kosong", "Account {1} has no free seat")),
    (
        r"(\d+) of (\d+) assignments were no longer ACTIVE",
        _say(
            "{1} dari {2} kursi sudah tidak aktif lagi; muat ulang halaman",
            "{1} of {2} seats were no longer active; reload the page",
        ),
    ),
    (r"unknown assignment .*", _say("Kursi tidak ditemukan", "Seat not found")),
    (
        r"assignment (\d+) is (\w+); only an ACTIVE one can be (\w+)",
        _verb(
            "Kursi #{1} berstatus {2}; hanya kursi aktif yang bisa {3}",
            "Seat #{1} is {2}; only an active one can be {3}",
            "assignment",
            2,
            3,
        ),
    ),
    (
        r"give either a number of days or a new end date",
        _say(
            "Isi jumlah hari atau tanggal berakhir baru (salah satu)", "Give either a number of days or a new end date"
        ),
    ),
    (
        r"the new end date must carry a time zone",
        _say("Tanggal berakhir baru harus punya zona waktu", "The new end date must carry a time zone"),
    ),
    (
        r"the new end date must be later than the current one",
        _say(
            "Tanggal berakhir baru harus setelah tanggal berakhir sekarang",
            "The new end date must be later than the current one",
        ),
    ),
    (
        r"one extension moves the end by (\d+) days at most",
        _say("Satu perpanjangan paling banyak {1} hari", "One extension moves the end by {1} days at most"),
    ),
    (
        r"a seat cannot end more than (\d+) days from today",
        _say(
            "Kursi tidak bisa berakhir lebih dari {1} hari dari hari ini",
            "A seat cannot end more than {1} days from today",
        ),
    ),
    (
        r"the new end date is too far in the future",
        _say("Tanggal berakhir baru terlalu jauh", "The new end date is too far in the future"),
    ),
    (
        r"an invitation can only be marked INVITED or REMOVED",
        _say(
            "Undangan hanya bisa ditandai Sudah diundang atau Sudah dikeluarkan",
            "An invitation can only be marked invited or removed",
        ),
    ),
    (
        r"assignment (\d+) is (\w+|not an invitation); cannot mark it (\w+)",
        _states(
            "invite",
            "Kursi #{1} berstatus {2}; tidak bisa ditandai {3}",
            "Seat #{1} is {2}; it cannot be marked {3}",
            2,
            3,
        ),
    ),
    (
        r"account (\S+) serves pool (.+), not (.+)",
        _say("Akun {1} melayani pool {2}, bukan {3}", "Account {1} serves pool {2}, not {3}"),
    ),
    (
        r"the customer is already on that account",
        _say("Pelanggan sudah ada di akun itu", "The customer is already on that account"),
    ),
    (
        r"account (\S+) is (\w+); it takes no customers",
        _states(
            "health", "Akun {1} berstatus {2}; tidak menerima pelanggan", "Account {1} is {2}; it takes no customers", 2
        ),
    ),
    (
        r"order (\S+) cannot go from (\w+) to (\w+)",
        _states("order", "Pesanan {1} tidak bisa berubah dari {2} ke {3}", "Order {1} cannot go from {2} to {3}", 2, 3),
    ),
    (r"unknown order.*|order not found", _say("Pesanan tidak ditemukan", "Order not found")),
    (
        r"a payment must carry a positive whole rupiah amount",
        _say(
            "Pembayaran harus berupa jumlah rupiah bulat yang positif",
            "A payment must be a positive whole rupiah amount",
        ),
    ),
    (
        r"order (\S+) is (\w+), not waiting for review",
        _states(
            "order", "Pesanan {1} berstatus {2}, tidak sedang diperiksa", "Order {1} is {2}, not waiting for review", 2
        ),
    ),
    (
        r"order (\S+) is (\w+); only paid orders can be refunded",
        _states(
            "order",
            "Pesanan {1} berstatus {2}; hanya pesanan yang dibayar yang bisa direfund",
            "Order {1} is {2}; only paid orders can be refunded",
            2,
        ),
    ),
    (
        r"order (\S+) has no active seat to send",
        _say("Pesanan {1} tidak punya kursi aktif untuk dikirim", "Order {1} has no active seat to send"),
    ),
    (
        r"health must be OK, BANNED, SUBSCRIPTION_ENDED or RESTRICTED",
        _say(
            "Kesehatan harus Sehat, Diblokir, Langganan habis atau Dibatasi",
            "Health must be healthy, banned, subscription ended or restricted",
        ),
    ),
    (
        r"only the customers of an unhealthy account are replaced; mark it first",
        _say(
            "Hanya pelanggan akun yang tidak sehat yang dipindahkan; tandai akunnya dulu",
            "Only an unhealthy account's customers are moved; mark it first",
        ),
    ),
    (
        r"no order for (\S+) transaction (.+)",
        _say("Tidak ada pesanan untuk transaksi {1} {2}", "No order for {1} transaction {2}"),
    ),
    (
        r"a PAID notice without an amount cannot be applied",
        _say(
            "Pemberitahuan bayar tanpa jumlah tidak bisa diterapkan",
            "A paid notice without an amount cannot be applied",
        ),
    ),
    (
        r"order (\S+) already has a payment in progress or is (\w+)",
        _states(
            "order",
            "Pesanan {1} sudah punya pembayaran berjalan atau berstatus {2}",
            "Order {1} already has a payment in progress or is {2}",
            2,
        ),
    ),
    (
        r"order (\S+) already has a payment \((.*)\)",
        _say("Pesanan {1} sudah punya pembayaran ({2})", "Order {1} already has a payment ({2})"),
    ),
    (
        r"grouping must be day, week or month",
        _say("Pilih pengelompokan: per hari, minggu atau bulan", "Grouping must be day, week or month"),
    ),
    (
        r"the first day must not be after the last day",
        _say("Tanggal awal tidak boleh setelah tanggal akhir", "The first day must not be after the last day"),
    ),
    (
        r"a report covers (\d+) days at most",
        _say("Satu laporan paling panjang {1} hari", "A report covers {1} days at most"),
    ),
    (
        r"when the pool has no free seat the package either stops selling or sells and queues",
        _say(
            "Pilih yang terjadi saat stok habis: paket berhenti dijual, atau tetap dijual dan pesanan menunggu",
            "When the pool has no free seat the package either stops selling or sells and queues",
        ),
    ),
    (
        r"say how the money was paid \(method\) when giving an amount",
        _say("Pilih cara bayarnya kalau mengisi jumlah", "Say how the money was paid when giving an amount"),
    ),
    (
        r"give both the amount paid and how it was paid, or neither",
        _say(
            "Isi jumlah yang dibayar beserta cara bayarnya, atau kosongkan keduanya",
            "Give both the amount paid and how it was paid, or neither",
        ),
    ),
    (
        r"the refund time must carry a time zone",
        _say("Waktu refund harus punya zona waktu", "The refund time must carry a time zone"),
    ),
    (
        r"the refund time cannot be in the future",
        _say("Waktu refund tidak boleh di masa depan", "The refund time cannot be in the future"),
    ),
    (
        F + r" must be one of .+",
        _say("{field} harus salah satu pilihan yang tersedia", "{field} must be one of the choices"),
    ),
    # raised in Indonesian around a code (a setting's or an action's key): worded again without it
    (
        r"Pengaturan (.+) tidak dikenal\.|Pengaturan tidak dikenal: (.+)\.",
        _say("Pengaturan itu tidak dikenal; muat ulang halaman", "That setting is not known; reload the page"),
    ),
    (
        r"Tindakan (.+) tidak dikenal",
        _say("Tindakan itu tidak dikenal; muat ulang halaman", "That action is not known; reload the page"),
    ),
]


def _in_indonesian(en_text: str) -> Words:
    """A refusal the domain already words in Indonesian for the owner: shown as raised; in English `en_text` ({1},
    {2}… the match's groups, a label or unit among them in English when LABELS has it)."""

    def words(match: re.Match[str], lang: str) -> str:
        if lang != "en":
            return match.group(0)
        groups = [match.group(0), *(LABELS.get(g or "", g or "") for g in match.groups())]
        return en_text.format(*groups)

    return words


# the Indonesian labels and units such refusals name, in English
LABELS = {
    "Catatan": "The note",
    "Nama toko": "The shop name",
    "Slogan": "The tagline",
    "Teks pengumuman": "The announcement text",
    "Syarat & ketentuan": "The terms and conditions",
    "Kebijakan privasi": "The privacy policy",
    "Batas waktu bayar": "The payment window",
    "Batas stok menipis": "The low-stock threshold",
    "Masa tenggang perpanjangan": "The renewal grace period",
    "Pengingat langganan akun": "The account subscription reminder",
    "Penjelasan akun bersama": "The shared-account explanation",
    " menit": " minutes",
    " kursi": " seats",
    " hari": " days",
}
RAISED_IN_INDONESIAN: list[tuple[str, Words]] = [
    (
        r"Pelanggan tidak dikenal: pakai e-mail atau nomor WhatsApp\.",
        _in_indonesian("Unknown customer: use an e-mail or a WhatsApp number"),
    ),
    (r"Tidak ada pesanan atas (.+)\.", _in_indonesian("There are no orders for {1}")),
    (r"(.+) wajib diisi\.", _in_indonesian("{1} is required")),
    (
        r"(.+) terlalu panjang \(paling banyak (\d+) karakter\)\.",
        _in_indonesian("{1} is too long ({2} characters at most)"),
    ),
    (
        r"(.+) berisi karakter yang tidak bisa disimpan\.",
        _in_indonesian("{1} contains a character that cannot be saved"),
    ),
    (
        r"(.+) harus bilangan bulat dari (\S+) sampai (\S+?)( menit| kursi| hari)?\.",
        _in_indonesian("{1} must be a whole number from {2} to {3}{4}"),
    ),
    (
        r"Logo harus gambar PNG, JPEG, WebP atau GIF\.",
        _in_indonesian("The logo must be a PNG, JPEG, WebP or GIF image"),
    ),
    (r"Logo terlalu besar \(paling besar (\d+) KB\)\.", _in_indonesian("The logo is too large ({1} KB at most)")),
    (r"Berkas logo rusak atau bukan gambar\.", _in_indonesian("The logo file is damaged or not an image")),
    (
        r"Alamat logo harus diawali https:// \(atau unggah gambar\)\.",
        _in_indonesian("The logo address must start with https:// (or upload an image)"),
    ),
    (
        r"Hari pengingat: tulis dua angka (\d+)–(\d+) dipisah koma, yang pertama lebih besar \(mis\. 3,1\)\.",
        _in_indonesian("Reminder days: write two numbers {1}–{2} separated by a comma, the first larger (e.g. 3,1)"),
    ),
    (
        r"Nomor WhatsApp bantuan harus nomor HP Indonesia \(08… atau \+62…\)\.",
        _in_indonesian("The support WhatsApp must be an Indonesian mobile number (08… or +62…)"),
    ),
    (r"E-mail bantuan tidak valid\.", _in_indonesian("The support e-mail is not valid")),
    (r"Pilihan hidup/mati tidak terbaca\.", _in_indonesian("The on/off choice could not be read")),
    (
        r"Tulis teks pengumuman sebelum menyalakannya\.",
        _in_indonesian("Write the announcement text before turning it on"),
    ),
    (
        r"Hanya pemilik \(owner\) yang boleh mengubah pengaturan toko\.",
        _in_indonesian("Only an owner can change the shop settings"),
    ),
    (
        r"Nama untuk pelanggan paling banyak (\d+) karakter",
        _in_indonesian("The name customers see is {1} characters at most"),
    ),
    (
        r"Biaya bulanan (.+) bukan jumlah rupiah bulat, contoh 75000 atau Rp 75\.000",
        _in_indonesian("Monthly cost {1} is not whole rupiah, e.g. 75000 or Rp 75.000"),
    ),
    (
        r"Tanggal perpanjangan (.+) tidak terbaca; tulis seperti 05-01-2027",
        _in_indonesian("Renewal date {1} cannot be read; write it like 05-01-2027"),
    ),
    (r"Tanggal perpanjangan perlu zona waktu", _in_indonesian("The renewal date needs a time zone")),
    (r"Tanggal perpanjangan di luar jangkauan", _in_indonesian("The renewal date is out of range")),
    (
        r"Tanggal perpanjangan workspace otomatis diisi oleh sinkron workspace",
        _in_indonesian("An automated workspace's renewal date is filled in by the workspace sync"),
    ),
    (r"Pilih minimal satu akun", _in_indonesian("Choose at least one account")),
    (r"Paling banyak (\S+) akun sekali jalan", _in_indonesian("{1} accounts at most at a time")),
    (r"(.+) bukan nomor akun", _in_indonesian("{1} is not an account number")),
    (r"Tulis nama pool tujuan", _in_indonesian("Write the name of the target pool")),
    (r"Nama pool paling banyak (\d+) karakter", _in_indonesian("A pool name is {1} characters at most")),
    (
        r"Nomor WhatsApp pemilik harus nomor HP Indonesia \(08… atau \+62…\)\.",
        _in_indonesian("The owner's WhatsApp must be an Indonesian mobile number (08… or +62…)"),
    ),
    (
        r"Kode verifikasi hanya untuk akun login bersama \(CREDENTIALS\)",
        _in_indonesian("A verification code is only for shared-login accounts"),
    ),
    (
        r"Kunci TOTP harus base32 \(huruf A–Z dan angka 2–7\), 16–128 karakter",
        _in_indonesian("The TOTP key must be base32 (letters A–Z and digits 2–7), 16–128 characters"),
    ),
    (r"Kunci TOTP bukan base32 yang sah", _in_indonesian("The TOTP key is not valid base32")),
    (r"Kode verifikasi: 4–12 huruf atau angka", _in_indonesian("Verification code: 4–12 letters or digits")),
    (
        r"Kunci TOTP hanya untuk akun login bersama \(CREDENTIALS\)",
        _in_indonesian("A TOTP key is only for shared-login accounts"),
    ),
    (
        r"(.+) harus angka bulat 1–1\.000\.000, atau kosong \(tanpa batas\)\.",
        _in_indonesian("{1} must be a whole number 1–1,000,000, or empty (no limit)"),
    ),
    (
        r"(.+) tidak terbaca; pakai format 2026-12-31 23:59\.",
        _in_indonesian("{1} cannot be read; use 2026-12-31 23:59"),
    ),
    (
        r"Kode promo 3–32 karakter: huruf, angka, - atau _\.",
        _in_indonesian("A promo code is 3–32 characters: letters, digits, - or _"),
    ),
    (r"Pilih jenis potongan: persen atau rupiah\.", _in_indonesian("Choose the discount kind: percent or rupiah")),
    (r"Potongan persen harus angka bulat 1–100\.", _in_indonesian("A percent discount is a whole number 1–100")),
    (
        r"Potongan rupiah harus jumlah bulat, misalnya 10000 atau 10\.000\.",
        _in_indonesian("A rupiah discount is a whole amount, e.g. 10000 or 10.000"),
    ),
    (
        r"Minimal pembelian harus jumlah rupiah bulat, atau kosong\.",
        _in_indonesian("The minimum purchase is whole rupiah, or empty"),
    ),
    (r"'Berlaku sampai' harus setelah 'Berlaku mulai'\.", _in_indonesian("'Valid until' must be after 'Valid from'")),
    (r"Ada paket yang tidak dikenal\.", _in_indonesian("A package is unknown")),
    (r"Kode (.+) sudah ada\.", _in_indonesian("Code {1} already exists")),
    (r"Kode promo #(.+) tidak ada\.", _in_indonesian("Promo code #{1} does not exist")),
]
COMPILED = [(re.compile(pattern, re.DOTALL), words) for pattern, words in PATTERNS + RAISED_IN_INDONESIAN]
COMPILED_INDONESIAN = [re.compile(pattern, re.DOTALL) for pattern, _ in RAISED_IN_INDONESIAN]


def known(message: str) -> bool:
    """Whether a message has its own sentence (not the generic one of its kind)."""
    return any(pattern.fullmatch(message) for pattern, _ in COMPILED)


def raised_in_indonesian(message: str) -> bool:
    """Whether a message is one the domain already words in Indonesian (shown as raised; only its English differs)."""
    return any(pattern.fullmatch(message) for pattern in COMPILED_INDONESIAN)


def error_text(error: DomainError, lang: str | None = None) -> str:
    """The refusal as the admin reads it, in their language (one a page raised in its own words, `said=True`, as
    it is)."""
    if error.context.get("said"):
        return error.message
    lang = lang or admin_lang()
    for pattern, words in COMPILED:
        match = pattern.fullmatch(error.message)
        if match:
            return words(match, lang)
    for kind, (id_text, en_text) in GENERIC.items():
        if isinstance(error, kind):
            return en_text if lang == "en" else id_text
    return FALLBACK[1] if lang == "en" else FALLBACK[0]


# what the data check (domain/admin/invariants.py) finds, in sentences an owner reads
PROBLEMS: list[tuple[str, Words]] = [
    (
        r"order id (\d+) has (\d+) ACTIVE assignments",
        _say("Pesanan #{1} punya {2} kursi aktif", "Order #{1} has {2} active seats"),
    ),
    (
        r"account (\S+): seats_used=(\d+) but (\d+) ACTIVE assignments",
        _say(
            "Akun {1}: tercatat {2} kursi terpakai, padahal ada {3} kursi aktif",
            "Account {1}: {2} seats counted, {3} active",
        ),
    ),
    (
        r"account (\S+): (\d+) seats used over capacity (\d+)",
        _say("Akun {1}: {2} kursi terpakai melebihi kapasitas {3}", "Account {1}: {2} seats used over capacity {3}"),
    ),
    (
        r"account (\S+) is ASSIGNED with (\d+) seat\(s\) free",
        _say("Akun {1} tercatat penuh padahal {2} kursi kosong", "Account {1} is marked full with {2} seat(s) free"),
    ),
    (
        r"account (\S+) is AVAILABLE but full",
        _say("Akun {1} tercatat tersedia padahal penuh", "Account {1} is marked available but full"),
    ),
    (
        r"order (\S+) is (\w+) but holds an ACTIVE seat",
        _states(
            "order",
            "Pesanan {1} berstatus {2} tetapi memegang kursi aktif",
            "Order {1} is {2} but holds an active seat",
            2,
        ),
    ),
    (
        r"order (\S+) is fulfilled without any assignment",
        _say("Pesanan {1} terlayani tanpa kursi", "Order {1} is fulfilled without a seat"),
    ),
    (
        r"order (\S+) waits for stock while pool (.+) has free seats",
        _say(
            "Pesanan {1} menunggu stok padahal pool {2} punya kursi kosong",
            "Order {1} waits for stock while pool {2} has free seats",
        ),
    ),
    (
        r"assignment (\d+) is (\w+) on an automated workspace with no (\w+) task",
        _states(
            "invite",
            "Kursi #{1} berstatus {2} di workspace otomatis tanpa tugas untuk proses otomatis",
            "Seat #{1} is {2} on an automated workspace with no task",
            2,
        ),
    ),
    (
        r"order (\S+) is (\w+) but its audit trail says (\w+)",
        _states(
            "order",
            "Pesanan {1} berstatus {2} tetapi catatan audit menyebut {3}",
            "Order {1} is {2} but its audit says {3}",
            2,
            3,
        ),
    ),
]
COMPILED_PROBLEMS = [(re.compile(pattern, re.DOTALL), words) for pattern, words in PROBLEMS]


def problem_text(problem: str, lang: str | None = None) -> str:
    """One finding of the data check in a sentence (one not listed: "ask a technician to look")."""
    lang = lang or admin_lang()
    for pattern, words in COMPILED_PROBLEMS:
        match = pattern.fullmatch(problem)
        if match:
            return words(match, lang)
    return "Data tidak cocok; minta teknisi memeriksa" if lang != "en" else "Data mismatch; ask a technician to look"


def as_raised(error: DomainError, lang: str | None = None) -> str:
    """A refusal the domain words in Indonesian for the owner: as raised, or in English after the switch."""
    return error_text(error, lang) if (lang or admin_lang()) == "en" else error.message
