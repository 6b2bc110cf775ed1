"""The one translation catalogue: every text the shop shows and every customer e-mail, in
Bahasa Indonesia (default) and English. `t(key, lang, **values)` looks a text up."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LANGUAGES = ("id", "en")
DEFAULT = "id"
WIB = ZoneInfo("Asia/Jakarta")
MONTHS = {
    "id": [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}

CATALOGUE: dict[str, dict[str, str]] = {
    # frame
    "brand.tagline": {
        "id": "Akses ChatGPT Plus bersama, aktif otomatis setelah pembayaran.",
        "en": "Shared ChatGPT Plus access, activated automatically once you pay.",
    },
    "nav.packages": {"id": "Paket", "en": "Packages"},
    "nav.lookup": {"id": "Cek pesanan", "en": "Find my order"},
    "nav.terms": {"id": "Syarat & ketentuan", "en": "Terms"},
    "nav.privacy": {"id": "Privasi", "en": "Privacy"},
    "nav.language": {"id": "English", "en": "Bahasa Indonesia"},
    "footer.support": {"id": "Bantuan: {contact}", "en": "Support: {contact}"},
    "mail.support": {"id": "Butuh bantuan? {contact}", "en": "Need help? {contact}"},
    "footer.no_support": {"id": "Bantuan: balas e-mail pesanan Anda.", "en": "Support: reply to your order e-mail."},
    # error pages
    "error.404.title": {"id": "Halaman tidak ditemukan", "en": "Page not found"},
    "error.404.help": {
        "id": "Alamat yang Anda buka tidak ada atau sudah dipindahkan.",
        "en": "The address you opened does not exist or has moved.",
    },
    "error.500.title": {"id": "Terjadi gangguan", "en": "Something went wrong"},
    "error.500.help": {
        "id": "Maaf, halaman ini sedang tidak dapat ditampilkan. Silakan coba lagi sebentar lagi.",
        "en": "Sorry, this page cannot be shown right now. Please try again in a moment.",
    },
    "error.incident": {"id": "Kode kejadian:", "en": "Incident code:"},
    "error.home": {"id": "Kembali ke beranda", "en": "Back to the home page"},
    # home
    "home.title": {"id": "Pilih paket", "en": "Choose a package"},
    "home.days": {"id": "{days} hari", "en": "{days} days"},
    "home.popular": {"id": "Populer", "en": "Popular"},
    "home.in_stock": {"id": "Tersedia", "en": "Available"},
    "home.restocking": {
        "id": "Stok sedang diisi ulang — pesanan tetap diproses otomatis begitu ada kursi",
        "en": "Restocking — your order is still processed automatically as soon as a seat frees up",
    },
    "home.buy": {"id": "Beli", "en": "Buy"},
    "home.sold_out": {"id": "Habis", "en": "Sold out"},
    "home.empty": {"id": "Belum ada paket yang dijual.", "en": "No packages are on sale yet."},
    "home.includes": {
        "id": "Akses ChatGPT Plus selama {days} hari, detail login dikirim otomatis.",
        "en": "ChatGPT Plus access for {days} days; login details are sent automatically.",
    },
    "home.how": {"id": "Cara kerja", "en": "How it works"},
    "home.step1": {
        "id": "Pilih paket dan isi e-mail serta nomor WhatsApp.",
        "en": "Pick a package and enter your e-mail and WhatsApp number.",
    },
    "home.step2": {
        "id": "Bayar dengan QRIS, virtual account, e-wallet atau gerai retail.",
        "en": "Pay by QRIS, virtual account, e-wallet or a retail store.",
    },
    "home.step3": {
        "id": "Begitu pembayaran masuk, akses tampil di halaman pesanan dan dikirim ke e-mail.",
        "en": "The moment the payment lands, your access shows on the order page and in your e-mail.",
    },
    "home.faq": {"id": "Pertanyaan umum", "en": "Questions"},
    "faq.q1": {"id": "Berapa lama akses aktif setelah bayar?", "en": "How soon is access active after paying?"},
    "faq.a1": {
        "id": "Otomatis dalam hitungan detik setelah pembayaran dikonfirmasi oleh penyedia pembayaran. "
        "Jika stok kursi sedang kosong, pesanan Anda antre dan diproses otomatis begitu ada kursi.",
        "en": "Automatically, seconds after the payment provider confirms the payment. If no seat is free "
        "right now, your order waits in line and is served automatically as soon as one is.",
    },
    "faq.q2": {"id": "Bagaimana jika saya kehilangan link pesanan?", "en": "What if I lose my order link?"},
    "faq.a2": {
        "id": "Buka halaman Cek pesanan dan masukkan e-mail Anda; kami kirim ulang link-nya.",
        "en": "Open Find my order and enter your e-mail; we send the links again.",
    },
    "faq.q3": {"id": "Apa yang terjadi saat masa aktif habis?", "en": "What happens when the period ends?"},
    "faq.a3": {
        "id": "Kami mengingatkan lewat e-mail {first} hari dan {second} hari sebelumnya. Setelah habis, kursi "
        "dilepas; Anda bisa membeli paket baru kapan saja.",
        "en": "We remind you by e-mail {first} days and {second} days before. When it ends the seat is released; "
        "you can buy a new package at any time.",
    },
    # checkout
    "checkout.title": {"id": "Checkout: {name}", "en": "Checkout: {name}"},
    "checkout.email": {"id": "E-mail", "en": "E-mail"},
    "checkout.name": {"id": "Nama", "en": "Name"},
    "checkout.phone": {"id": "Nomor WhatsApp", "en": "WhatsApp number"},
    "checkout.phone_hint": {"id": "Contoh: 0812 3456 7890", "en": "For example: 0812 3456 7890"},
    "checkout.method": {"id": "Metode pembayaran", "en": "Payment method"},
    "checkout.fee": {"id": "Biaya {fee}", "en": "Fee {fee}"},
    "checkout.no_fee": {"id": "Tanpa biaya tambahan", "en": "No extra fee"},
    "checkout.summary": {"id": "Ringkasan", "en": "Summary"},
    "checkout.price": {"id": "Harga paket", "en": "Package price"},
    "checkout.total": {"id": "Total bayar", "en": "Total to pay"},
    "checkout.terms": {"id": "Saya setuju dengan syarat & ketentuan", "en": "I agree to the terms"},
    "checkout.submit": {"id": "Bayar sekarang", "en": "Pay now"},
    "checkout.placing": {"id": "Membuat pesanan…", "en": "Placing your order…"},
    "checkout.unavailable": {
        "id": "Pembayaran sedang tidak tersedia. Coba lagi sebentar lagi.",
        "en": "Payments are unavailable right now. Please try again shortly.",
    },
    "checkout.not_for_sale": {"id": "Paket ini tidak dijual.", "en": "This package is not for sale."},
    "checkout.sold_out": {
        "id": "Paket ini sedang habis. Silakan coba lagi nanti atau pilih paket lain.",
        "en": "This package is sold out. Please try again later or choose another package.",
    },
    "checkout.restocking": {
        "id": "Stok kursi sedang diisi ulang: Anda tetap bisa membayar, kursi diberikan otomatis begitu tersedia.",
        "en": "Seats are being restocked: you can still pay, and a seat is assigned "
        "automatically as soon as one is free.",
    },
    "error.email": {"id": "Masukkan alamat e-mail yang valid.", "en": "Enter a valid e-mail address."},
    "error.name": {"id": "Nama wajib diisi.", "en": "Your name is required."},
    "error.phone": {
        "id": "Masukkan nomor HP Indonesia (08…, +62…).",
        "en": "Enter an Indonesian mobile number (08…, +62…).",
    },
    "error.method": {"id": "Pilih metode pembayaran.", "en": "Choose a payment method."},
    "error.terms": {"id": "Setujui syarat & ketentuan untuk melanjutkan.", "en": "Agree to the terms to continue."},
    "error.rate": {
        "id": "Terlalu banyak percobaan. Tunggu sebentar.",
        "en": "Too many attempts. Please wait a moment.",
    },
    # order page
    "order.title": {"id": "Pesanan {code}", "en": "Order {code}"},
    "order.not_found": {"id": "Pesanan tidak ditemukan", "en": "Order not found"},
    "order.not_found_help": {
        "id": "Periksa link dari e-mail Anda, atau minta link baru di halaman Cek pesanan.",
        "en": "Check the link in your e-mail, or ask for a new one on Find my order.",
    },
    "order.amount": {"id": "Jumlah", "en": "Amount"},
    "order.pay_before": {"id": "Bayar sebelum {deadline}", "en": "Pay before {deadline}"},
    "order.time_left": {"id": "Sisa waktu {left}", "en": "Time left {left}"},
    "order.pay_code": {"id": "Kode bayar / nomor virtual account", "en": "Pay code / virtual account number"},
    "order.scan_qr": {
        "id": "Pindai QRIS ini dengan aplikasi e-wallet atau m-banking",
        "en": "Scan this QRIS with any e-wallet or banking app",
    },
    "order.open_checkout": {"id": "Buka halaman pembayaran", "en": "Open the payment page"},
    "order.waiting": {
        "id": "Menunggu pembayaran. Halaman ini diperbarui otomatis.",
        "en": "Waiting for your payment. This page updates by itself.",
    },
    "order.copy": {"id": "Salin", "en": "Copy"},
    "order.copied": {"id": "Disalin", "en": "Copied"},
    "order.processing": {
        "id": "Pembayaran diterima, menyiapkan akses…",
        "en": "Payment received, preparing your access…",
    },
    "order.paid": {"id": "Pembayaran diterima", "en": "Payment received"},
    "order.login_email": {"id": "E-mail login", "en": "Login e-mail"},
    "order.password": {"id": "Kata sandi", "en": "Password"},
    "order.dont_change": {
        "id": "Jangan mengubah kata sandi, e-mail, atau pengaturan keamanan akun. Akun ini "
        "dipakai bersama; perubahan membuat akses Anda dicabut.",
        "en": "Do not change the password, e-mail or security settings. The account is shared; "
        "changes get your access revoked.",
    },
    "order.workspace": {"id": "Workspace: {workspace}", "en": "Workspace: {workspace}"},
    "order.invite.TO_INVITE": {
        "id": "Undangan sedang dikirim ke {email}",
        "en": "Your invitation is being sent to {email}",
    },
    "order.invite.INVITED": {
        "id": "Undangan terkirim ke {email} — buka e-mail dari ChatGPT (cek juga folder Spam/Promosi) dan klik "
        "'Join workspace'; masuk ke chatgpt.com dengan e-mail ini",
        "en": "Invitation sent to {email} — open the e-mail from ChatGPT (check the Spam/Promotions folders too) "
        "and click 'Join workspace'; sign in to chatgpt.com with this e-mail",
    },
    "order.invite.JOINED": {
        "id": "Anda sudah bergabung di workspace {workspace}",
        "en": "You have joined the workspace {workspace}",
    },
    "order.invite.sending_help": {
        "id": "Biasanya hanya beberapa detik. Halaman ini diperbarui otomatis begitu undangan terkirim.",
        "en": "This usually takes a few seconds. This page updates by itself once the invitation is sent.",
    },
    "order.steps": {"id": "Cara masuk", "en": "How to get in"},
    "order.step.mail": {
        "id": "Buka e-mail undangan dari ChatGPT (OpenAI) di {email}. Tidak ada di Kotak Masuk? Cek folder "
        "Spam dan Promosi.",
        "en": "Open the invitation e-mail from ChatGPT (OpenAI) at {email}. Not in your inbox? Check the Spam "
        "and Promotions folders.",
    },
    "order.step.join": {
        "id": "Klik tombol 'Join workspace' di e-mail itu.",
        "en": "Click the 'Join workspace' button in that e-mail.",
    },
    "order.step.login": {
        "id": "Masuk ke chatgpt.com dengan e-mail {email} — bukan e-mail lain.",
        "en": "Sign in to chatgpt.com with {email} — not another address.",
    },
    "order.step.switch": {
        "id": "Pilih “{workspace}” di menu profil (pojok kiri bawah).",
        "en": "Pick “{workspace}” in the profile menu (bottom left).",
    },
    "order.open_chatgpt": {"id": "Buka chatgpt.com", "en": "Open chatgpt.com"},
    "order.credentials_ready": {
        "id": "Detail login ada di halaman pesanan.",
        "en": "The login details are on the order page.",
    },
    "order.moved.invite": {
        "id": "Akses Anda sudah dipindahkan ke workspace baru pada {date}; workspace lama tidak dipakai lagi, "
        "terima undangan yang baru. Tanggal berakhir tidak berubah: {end}.",
        "en": "Your access moved to a new workspace on {date}; the old workspace is no longer used, accept the "
        "new invitation. The end date is unchanged: {end}.",
    },
    "order.moved.joined": {
        "id": "Akses Anda sudah dipindahkan ke workspace baru pada {date}. Tanggal berakhir tidak berubah: {end}.",
        "en": "Your access moved to a new workspace on {date}. The end date is unchanged: {end}.",
    },
    "order.moved.credentials": {
        "id": "Akses Anda sudah dipindahkan ke akun baru pada {date}; detail login lama tidak berlaku lagi. "
        "Tanggal berakhir tidak berubah: {end}.",
        "en": "Your access moved to a new account on {date}; the old login no longer works. "
        "The end date is unchanged: {end}.",
    },
    "order.unhealthy": {
        "id": "Workspace atau akun Anda sedang bermasalah. Anda dipindahkan otomatis ke yang lain begitu ada kursi "
        "kosong; tanggal berakhir tidak berubah.",
        "en": "Your workspace or account has a problem. You are moved to another one automatically as soon as a "
        "seat frees up; the end date is unchanged.",
    },
    "order.report.button": {"id": "Akses saya tidak berfungsi", "en": "My access doesn't work"},
    "order.report.help": {
        "id": "Tidak bisa masuk, atau undangan tidak datang? Laporkan di sini; kami periksa.",
        "en": "Can't get in, or the invitation never came? Tell us here and we check.",
    },
    "order.report.checking": {
        "id": "Kami sedang memeriksa workspace Anda dan mengirim ulang undangan bila perlu. Halaman ini "
        "diperbarui otomatis.",
        "en": "We are checking your workspace and sending the invitation again if needed. This page updates by itself.",
    },
    "order.report.checked_member": {
        "id": "Sudah kami periksa: {email} terdaftar sebagai anggota workspace. Keluar (log out) dari chatgpt.com, "
        "masuk lagi dengan e-mail ini, lalu pilih workspace di menu profil. Masih belum bisa? Balas e-mail "
        "pesanan Anda.",
        "en": "Checked: {email} is a member of the workspace. Log out of chatgpt.com, sign in again with this "
        "e-mail and pick the workspace in the profile menu. Still no luck? Reply to your order e-mail.",
    },
    "order.report.checked_invited": {
        "id": "Sudah kami periksa: undangan dikirim lagi ke {email}. Cek Kotak Masuk, Spam dan Promosi.",
        "en": "Checked: the invitation was sent to {email} again. Check your inbox, Spam and Promotions.",
    },
    "order.report.check_handed_over": {
        "id": "Workspace belum bisa kami periksa otomatis; admin menanganinya dan akan menghubungi Anda bila perlu.",
        "en": "We could not check the workspace automatically; an admin is handling it and will contact you if needed.",
    },
    "order.report.moved": {
        "id": "Akun lama Anda bermasalah, jadi akses Anda sudah dipindahkan. Tanggal berakhir tidak berubah; "
        "detail barunya ada di atas.",
        "en": "Your previous account had a problem, so your access has been moved. The end date is unchanged; "
        "the new details are above.",
    },
    "order.report.waiting": {
        "id": "Akun Anda sedang bermasalah. Anda dipindahkan otomatis begitu ada kursi kosong; tanggal berakhir "
        "tidak berubah.",
        "en": "Your account has a problem. You are moved automatically as soon as a seat frees up; the end date "
        "is unchanged.",
    },
    "order.report.case_opened": {
        "id": "Laporan Anda sudah diterima; admin akan menghubungi Anda.",
        "en": "Your report has been received; an admin will contact you.",
    },
    "order.report.too_soon": {
        "id": "Anda sudah melapor; coba lagi setelah {time}.",
        "en": "You have already reported it; try again after {time}.",
    },
    "order.report.no_seat": {
        "id": "Pesanan ini tidak punya akses aktif untuk diperiksa.",
        "en": "This order has no active access to check.",
    },
    "order.report.sent": {
        "id": "Anda melapor pada {time}. Bisa melapor lagi setelah {again}.",
        "en": "You reported it on {time}. You can report again after {again}.",
    },
    "order.report.error": {
        "id": "Laporan belum terkirim. Coba lagi sebentar lagi.",
        "en": "Your report did not go through. Please try again in a moment.",
    },
    "order.ends": {"id": "Aktif sampai {date} ({days} hari lagi)", "en": "Active until {date} ({days} days left)"},
    "order.pending_stock": {
        "id": "Pembayaran diterima. Semua kursi sedang terisi; kursi Anda diberikan otomatis "
        "begitu tersedia dan halaman ini langsung menampilkannya. Anda juga akan "
        "menerima e-mail.",
        "en": "Payment received. Every seat is taken right now; yours is assigned automatically "
        "as soon as one frees up, and this page shows it at once. You will get an "
        "e-mail too.",
    },
    "order.review": {
        "id": "Pembayaran diterima tetapi jumlahnya berbeda dari tagihan. Tim kami sedang "
        "memeriksanya dan akan menghubungi Anda.",
        "en": "We received a payment that differs from the amount due. Our team is checking it and will contact you.",
    },
    "order.expired": {"id": "Batas waktu pembayaran sudah lewat.", "en": "The payment deadline has passed."},
    "order.failed": {"id": "Pembayaran gagal.", "en": "The payment failed."},
    "order.order_again": {"id": "Pesan lagi", "en": "Order again"},
    "order.refunded": {"id": "Pesanan ini sudah dikembalikan dananya.", "en": "This order has been refunded."},
    "order.ended.EXPIRED": {"id": "Masa aktif berakhir pada {date}.", "en": "The period ended on {date}."},
    "order.ended.REVOKED": {
        "id": "Akses dicabut pada {date}: {reason}",
        "en": "Access was revoked on {date}: {reason}",
    },
    "order.renew": {"id": "Perpanjang dengan paket baru", "en": "Renew with a new package"},
    "step.qris": {
        "id": "Buka aplikasi e-wallet/m-banking, pilih Bayar/Scan QR, pindai kode di atas, lalu konfirmasi.",
        "en": "Open your e-wallet or banking app, choose Pay/Scan QR, scan the code above and confirm.",
    },
    "step.va": {
        "id": "Di m-banking/ATM pilih Transfer > Virtual Account, masukkan nomor di atas, periksa jumlah, "
        "lalu konfirmasi.",
        "en": "In your banking app or ATM choose Transfer > Virtual Account, "
        "enter the number above, check the amount and confirm.",
    },
    "step.retail": {
        "id": "Sebutkan kode bayar ke kasir dan bayar sesuai jumlah.",
        "en": "Give the pay code to the cashier and pay the amount.",
    },
    "step.redirect": {
        "id": "Tekan tombol di bawah untuk membayar di aplikasi atau halaman penyedia pembayaran.",
        "en": "Press the button below to pay in the provider's app or page.",
    },
    # lookup
    "lookup.title": {"id": "Cek pesanan", "en": "Find my order"},
    "lookup.help": {
        "id": "Masukkan e-mail yang Anda pakai saat memesan. Jika ada pesanan, kami kirim link-nya ke e-mail tersebut.",
        "en": "Enter the e-mail you ordered with. If it has orders, we send their links to it.",
    },
    "lookup.submit": {"id": "Kirim link pesanan", "en": "Send my order links"},
    "lookup.done": {
        "id": "Jika e-mail itu memiliki pesanan, link-nya sudah kami kirim. Periksa kotak masuk dan folder spam.",
        "en": "If that e-mail has orders, we have sent their links. Check your inbox and spam folder.",
    },
    # statuses shown to customers
    "status.pending_payment": {"id": "Menunggu pembayaran", "en": "Awaiting payment"},
    "status.pending_stock": {"id": "Menunggu kursi", "en": "Waiting for a seat"},
    "status.fulfilled": {"id": "Aktif", "en": "Active"},
    "status.payment_expired": {"id": "Kedaluwarsa", "en": "Expired"},
    "status.payment_failed": {"id": "Gagal", "en": "Failed"},
    "status.payment_review": {"id": "Sedang diperiksa", "en": "Under review"},
    "status.refunded": {"id": "Dikembalikan", "en": "Refunded"},
    "status.seat.EXPIRED": {"id": "Berakhir", "en": "Ended"},
    "status.seat.REVOKED": {"id": "Dicabut", "en": "Revoked"},
    # e-mails
    "mail.greeting": {"id": "Halo {name},", "en": "Hello {name},"},
    "mail.order_link": {"id": "Halaman pesanan Anda: {link}", "en": "Your order page: {link}"},
    "mail.footer": {
        "id": "Simpan e-mail ini: link di atas adalah kunci pesanan Anda.",
        "en": "Keep this e-mail: the link above is the key to your order.",
    },
    "mail.order_created.subject": {
        "id": "Pesanan {code}: selesaikan pembayaran",
        "en": "Order {code}: complete your payment",
    },
    "mail.order_created.body": {
        "id": "Terima kasih telah memesan {package}. Bayar {amount} sebelum {deadline}. "
        "Cara bayar ada di halaman pesanan.",
        "en": "Thank you for ordering {package}. Pay {amount} before {deadline}. How to pay is on your order page.",
    },
    "mail.access.subject": {"id": "Akses Anda siap: pesanan {code}", "en": "Your access is ready: order {code}"},
    "mail.access.credentials": {
        "id": "Pembayaran diterima. Berikut detail login akun ChatGPT Anda, aktif sampai {date}.",
        "en": "Payment received. Here are the login details of your ChatGPT account, active until {date}.",
    },
    "mail.access.invite": {
        "id": "Pembayaran diterima. Undangan ke workspace {workspace} sedang dikirim ke {email}; "
        "terima undangannya saat tiba. Aktif sampai {date}.",
        "en": "Payment received. Your invitation to workspace {workspace} is on its way to "
        "{email}; accept it when it arrives. Active until {date}.",
    },
    "mail.moved.subject": {
        "id": "Pesanan {code}: akses Anda dipindahkan ke akun baru",
        "en": "Order {code}: your access moved to a new account",
    },
    "mail.moved.body": {
        "id": "Kursi Anda dipindah ke akun ChatGPT lain; akun yang lama tidak bisa Anda pakai lagi. "
        "Masa aktif Anda tetap sampai {date}; tidak ada yang perlu dibayar.",
        "en": "Your seat moved to another ChatGPT account; you can no longer use the previous one. "
        "Your access still runs until {date}; there is nothing to pay.",
    },
    "mail.access.credentials_moved": {
        "id": "Berikut detail login akun baru Anda.",
        "en": "Here are the login details of your new account.",
    },
    "mail.access.invite_moved": {
        "id": "Undangan ke workspace {workspace} sedang dikirim ke {email}; terima undangannya saat tiba.",
        "en": "Your invitation to workspace {workspace} is on its way to {email}; accept it when it arrives.",
    },
    "mail.login_changed.subject": {
        "id": "Pesanan {code}: kata sandi akun ChatGPT Anda diganti",
        "en": "Order {code}: the password of your ChatGPT account changed",
    },
    "mail.login_changed.body": {
        "id": "Kata sandi akun ChatGPT yang Anda pakai sudah diganti. Masuk lagi dengan data login di bawah ini; "
        "akses Anda tetap aktif sampai {date}.",
        "en": "The password of the ChatGPT account you use has changed. Sign in again with the login below; "
        "your access still runs until {date}.",
    },
    "mail.pending_stock.subject": {"id": "Pesanan {code}: menunggu kursi", "en": "Order {code}: waiting for a seat"},
    "mail.pending_stock.body": {
        "id": "Pembayaran Anda sudah kami terima. Semua kursi sedang terisi; kursi Anda "
        "diberikan otomatis begitu tersedia dan kami kirim e-mail lagi.",
        "en": "We have received your payment. Every seat is taken right now; yours is "
        "assigned automatically as soon as one frees up, and we will e-mail you again.",
    },
    "mail.reminder.subject": {"id": "Akses Anda berakhir dalam {days} hari", "en": "Your access ends in {days} days"},
    "mail.reminder.subject_1": {"id": "Akses Anda berakhir besok", "en": "Your access ends tomorrow"},
    "mail.reminder.body": {
        "id": "Akses pesanan {code} berakhir pada {date}. Perpanjang kursi yang sama dari halaman pesanan.",
        "en": "The access of order {code} ends on {date}. Renew the same seat from the order page.",
    },
    "mail.renew": {"id": "Beli paket baru", "en": "Buy a new package"},
    "mail.ended.subject": {"id": "Akses pesanan {code} telah berakhir", "en": "The access of order {code} has ended"},
    "mail.ended.body": {
        "id": "Masa aktif berakhir pada {date} dan kursi telah dilepas. Terima kasih telah berbelanja.",
        "en": "The period ended on {date} and the seat has been released. Thank you for your purchase.",
    },
    "mail.revoked.subject": {"id": "Akses pesanan {code} dicabut", "en": "The access of order {code} was revoked"},
    "mail.revoked.body": {
        "id": "Akses Anda dicabut pada {date}. Alasan: {reason}",
        "en": "Your access was revoked on {date}. Reason: {reason}",
    },
    "mail.extended.subject": {
        "id": "Akses pesanan {code} diperpanjang",
        "en": "The access of order {code} was extended",
    },
    "mail.extended.body": {
        "id": "Masa aktif Anda sekarang sampai {date}.",
        "en": "Your access now lasts until {date}.",
    },
    "mail.lookup.subject": {"id": "Link pesanan Anda", "en": "Your order links"},
    "mail.lookup.body": {"id": "Berikut pesanan yang memakai e-mail ini:", "en": "These orders use this e-mail:"},
    # WhatsApp messages (domain/notify/whatsapp.py): short, plain, never a password or a login code
    "wa.order_created": {
        "id": "Pesanan {code} ({package}) sudah dibuat. Bayar {amount} sebelum {deadline}.",
        "en": "Order {code} ({package}) is placed. Pay {amount} before {deadline}.",
    },
    "wa.pay_link": {"id": "Bayar di sini: {link}", "en": "Pay here: {link}"},
    "wa.order_link": {"id": "Halaman pesanan Anda: {link}", "en": "Your order page: {link}"},
    "wa.renew_link": {"id": "Perpanjang di sini: {link}", "en": "Renew here: {link}"},
    "wa.access_ready": {
        "id": "Pembayaran pesanan {code} diterima. Akses ChatGPT Anda siap, aktif sampai {date}. "
        "Cara masuk ada di halaman pesanan.",
        "en": "Payment for order {code} received. Your ChatGPT access is ready, active until {date}. "
        "How to sign in is on your order page.",
    },
    "wa.moved": {
        "id": "Kursi Anda (pesanan {code}) dipindah ke akun lain. Masa aktif tetap sampai {date}; tidak ada yang "
        "perlu dibayar. Buka halaman pesanan untuk cara masuk ke akun barunya.",
        "en": "Your seat (order {code}) moved to another account. It still runs until {date}; there is nothing "
        "to pay. Open your order page to see how to sign in to the new account.",
    },
    "wa.login_changed": {
        "id": "Kata sandi akun ChatGPT pesanan {code} sudah diganti. Buka halaman pesanan untuk data login "
        "terbaru; akses tetap aktif sampai {date}.",
        "en": "The password of the ChatGPT account of order {code} changed. Open your order page for the new "
        "login; your access still runs until {date}.",
    },
    "wa.reminder": {
        "id": "Akses pesanan {code} berakhir pada {date}. Perpanjang agar tetap di akun yang sama.",
        "en": "The access of order {code} ends on {date}. Renew to stay on the same account.",
    },
    "wa.ended": {
        "id": "Akses pesanan {code} berakhir pada {date}. Terima kasih telah berbelanja.",
        "en": "The access of order {code} ended on {date}. Thank you for your purchase.",
    },
    "wa.revoked": {
        "id": "Akses pesanan {code} dihentikan pada {date}.",
        "en": "The access of order {code} was stopped on {date}.",
    },
    "wa.extended": {
        "id": "Masa aktif pesanan {code} diperpanjang. Akses Anda sekarang sampai {date}, di akun yang sama.",
        "en": "Order {code} is extended. Your access now lasts until {date}, on the same account.",
    },
    "wa.refund": {
        "id": "Dana pesanan {code} sebesar {amount} dikembalikan lewat {method} pada {date}.",
        "en": "{amount} for order {code} was refunded by {method} on {date}.",
    },
    "wa.refund_no_method": {
        "id": "Dana pesanan {code} sebesar {amount} dikembalikan pada {date}.",
        "en": "{amount} for order {code} was refunded on {date}.",
    },
    "wa.refund_none": {
        "id": "Pesanan {code} dibatalkan pada {date}.",
        "en": "Order {code} was cancelled on {date}.",
    },
    "refund_method.gateway": {"id": "metode pembayaran semula", "en": "your original payment method"},
    "refund_method.cash": {"id": "tunai", "en": "cash"},
    "refund_method.transfer": {"id": "transfer bank", "en": "bank transfer"},
    "refund_method.qris": {"id": "QRIS", "en": "QRIS"},
    "refund_method.ewallet": {"id": "e-wallet", "en": "e-wallet"},
    "refund_method.other": {"id": "cara lain", "en": "another way"},
    "mail.refunded.subject": {"id": "Pesanan {code}: dana dikembalikan", "en": "Order {code}: refunded"},
    "mail.refunded.access": {
        "id": "Akses ChatGPT pesanan ini sudah berakhir.",
        "en": "The ChatGPT access of this order has ended.",
    },
    "checkout.notify_whatsapp": {"id": "Kirim info pesanan ke WhatsApp", "en": "Send order updates to WhatsApp"},
    "shop.whatsapp_contact": {"id": "Hubungi kami lewat WhatsApp", "en": "Contact us on WhatsApp"},
    # login help (#19): the steps of a shared login, its login code, the code the owner pasted
    "order.cred.step.open": {
        "id": "Buka chatgpt.com dan tekan 'Log in'.",
        "en": "Open chatgpt.com and press 'Log in'.",
    },
    "order.cred.step.login": {
        "id": "Masukkan e-mail {email}, lalu kata sandi yang tertera.",
        "en": "Enter the e-mail {email}, then the password shown.",
    },
    "order.cred.step.code": {
        "id": "Diminta kode verifikasi dari e-mail? Kode terbaru muncul di halaman ini begitu kami menerimanya "
        "(halaman diperbarui sendiri). Belum muncul setelah beberapa menit? Laporkan lewat tombol di bawah.",
        "en": "Asked for a verification code from the e-mail? The latest code appears on this page as soon as we "
        "receive it (the page updates by itself). Nothing after a few minutes? Report it with the button below.",
    },
    "order.cred.step.code_totp": {
        "id": "Diminta kode verifikasi (6 angka)? Tekan 'Tampilkan kode login' di bawah dan ketik kodenya.",
        "en": "Asked for a verification code (6 digits)? Press 'Show login code' below and type it in.",
    },
    "mail.steps.code": {
        "id": "Diminta kode verifikasi? Buka halaman pesanan Anda (link di bawah): kodenya ada di sana.",
        "en": "Asked for a verification code? Open your order page (link below): the code is there.",
    },
    "order.login_code.button": {"id": "Tampilkan kode login", "en": "Show login code"},
    "order.login_code.label": {"id": "Kode login", "en": "Login code"},
    "order.login_code.next": {"id": "Kode berganti dalam {left}", "en": "The code changes in {left}"},
    "order.login_code.limited": {
        "id": "Terlalu sering meminta kode. Coba lagi dalam 10 menit.",
        "en": "Too many code requests. Try again in 10 minutes.",
    },
    "order.login_code.gone": {
        "id": "Kode login tidak tersedia: akses pesanan ini sudah tidak aktif.",
        "en": "No login code: this order's access is no longer active.",
    },
    "order.login_code.error": {
        "id": "Kode tidak bisa diambil sekarang. Coba lagi sebentar lagi.",
        "en": "The code could not be fetched just now. Try again in a moment.",
    },
    "order.login_code.pasted": {"id": "Kode verifikasi terbaru", "en": "Latest verification code"},
    "order.login_code.pasted_until": {
        "id": "Dari e-mail akun, dikirim admin. Berlaku sampai {time}.",
        "en": "From the account's e-mail, sent by the shop. Valid until {time}.",
    },
    # renewal on the same seat (issue #19)
    "mail.renew_seat": {"id": "Perpanjang kursi ini", "en": "Renew this seat"},
    "mail.renewed.subject": {"id": "Perpanjangan diterima: {code}", "en": "Renewal received: {code}"},
    "mail.renewed.body": {
        "id": "Perpanjangan diterima, kursi Anda kini berakhir {date}.",
        "en": "Renewal received, your seat now ends on {date}.",
    },
    "mail.renewed.elsewhere": {
        "id": "Kursi lama Anda tidak bisa dipakai lagi (masa tenggangnya lewat atau akunnya tidak tersedia), "
        "jadi perpanjangan {code} mendapat kursi baru di akun lain. Detail login yang baru ada di halaman "
        "pesanan {code}.",
        "en": "Your previous seat cannot be used any more (its grace period passed or its account is unavailable), "
        "so renewal {code} gets a new seat on another account. The new login details are on the page of "
        "order {code}.",
    },
    "renew.title": {"id": "Perpanjang", "en": "Renew"},
    "renew.help": {
        "id": "Perpanjang kursi yang sama: akun dan riwayat chat Anda tetap.",
        "en": "Renew the same seat: your account and chat history stay.",
    },
    "renew.until": {
        "id": "Masa aktif sudah berakhir; kursi ini masih bisa diperpanjang sampai {date}.",
        "en": "The period has ended; this seat can still be renewed until {date}.",
    },
    "renew.open": {"id": "Perpanjang kursi ini", "en": "Renew this seat"},
    "renew.package": {"id": "Pilih paket", "en": "Choose a package"},
    "renew.option": {
        "id": "{name} · {price} · {days} hari → berakhir {date}",
        "en": "{name} · {price} · {days} days → ends {date}",
    },
    "renew.submit": {"id": "Bayar perpanjangan", "en": "Pay for the renewal"},
    "renew.choose_package": {"id": "Pilih paket perpanjangan.", "en": "Choose a renewal package."},
    "renew.error": {
        "id": "Perpanjangan belum bisa dibuat. Coba lagi sebentar lagi.",
        "en": "The renewal could not be placed. Please try again shortly.",
    },
    "renew.refused.past_grace": {
        "id": "Masa tenggang kursi ini sudah lewat. Silakan beli paket baru.",
        "en": "This seat's grace period has passed. Please buy a new package.",
    },
    "renew.refused.revoked": {
        "id": "Kursi ini sudah dicabut dan tidak bisa diperpanjang.",
        "en": "This seat was revoked and cannot be renewed.",
    },
    "renew.refused.no_seat": {
        "id": "Pesanan ini belum punya kursi untuk diperpanjang.",
        "en": "This order has no seat to renew yet.",
    },
    "renew.refused.other_pool": {
        "id": "Paket itu untuk jenis akun lain. Pilih paket dari daftar ini.",
        "en": "That package is for another kind of account. Choose one from this list.",
    },
    "renew.refused.not_for_sale": {
        "id": "Paket itu sedang tidak dijual. Pilih paket lain.",
        "en": "That package is not for sale now. Choose another.",
    },
    "renew.refused.unknown_package": {"id": "Pilih paket perpanjangan.", "en": "Choose a renewal package."},
    "renew.refused.other": {
        "id": "Kursi ini tidak bisa diperpanjang sekarang.",
        "en": "This seat cannot be renewed now.",
    },
    "renew.back": {"id": "Buka pesanan {code} (kursi Anda)", "en": "Open order {code} (your seat)"},
    "renew.moved_to": {
        "id": "Perpanjangan Anda ({code}) mendapat kursi baru di akun lain. Login yang berlaku ada di pesanan itu.",
        "en": "Your renewal ({code}) got a new seat on another account. The login that works is on that order.",
    },
    "renew.open_new": {"id": "Buka pesanan {code} (kursi baru Anda)", "en": "Open order {code} (your new seat)"},
    "renew.elsewhere": {
        "id": "Kursi lama Anda tidak bisa dipakai lagi, jadi perpanjangan ini mendapat kursi baru di akun lain. "
        "Login yang baru ada di bawah.",
        "en": "Your previous seat cannot be used any more, so this renewal got a new seat on another account. "
        "The new login is below.",
    },
    # promo codes and the sold-out waitlist (issue #19)
    "promo.unknown": {"id": "Kode promo tidak ditemukan", "en": "Promo code not found"},
    "promo.ended": {"id": "Kode promo sudah tidak berlaku", "en": "This promo code has ended"},
    "promo.not_yet": {"id": "Kode promo belum berlaku", "en": "This promo code is not valid yet"},
    "promo.not_for_package": {
        "id": "Kode promo tidak berlaku untuk paket ini",
        "en": "This promo code does not apply to this package",
    },
    "promo.minimum": {"id": "Minimal pembelian {amount}", "en": "Minimum purchase {amount}"},
    "promo.used_up": {"id": "Kode promo sudah habis dipakai", "en": "This promo code has been used up"},
    "promo.used_by_you": {
        "id": "Anda sudah memakai kode promo ini",
        "en": "You have already used this promo code",
    },
    "promo.too_low": {
        "id": "Kode promo tidak bisa dipakai untuk harga ini",
        "en": "This promo code cannot be used at this price",
    },
    "promo.ask": {"id": "Punya kode promo?", "en": "Have a promo code?"},
    "promo.field": {"id": "Kode promo", "en": "Promo code"},
    "promo.apply": {"id": "Pakai", "en": "Apply"},
    "promo.remove": {"id": "Hapus", "en": "Remove"},
    "promo.applied": {
        "id": "Kode {code}: hemat {discount}. Total baru {total}",
        "en": "Code {code}: you save {discount}. New total {total}",
    },
    "promo.discount": {"id": "Diskon", "en": "Discount"},
    "waitlist.button": {"id": "Habis — kabari saya", "en": "Sold out — notify me"},
    "waitlist.intro": {
        "id": "Tulis e-mail atau nomor WhatsApp Anda. Kami kabari sekali saat kursi tersedia lagi.",
        "en": "Leave your e-mail or WhatsApp number. We will tell you once when seats are back.",
    },
    "waitlist.contact": {"id": "E-mail atau nomor WhatsApp", "en": "E-mail or WhatsApp number"},
    "waitlist.submit": {"id": "Kabari saya", "en": "Notify me"},
    "waitlist.joined": {
        "id": "Terima kasih! Kami kabari {contact} saat paket ini tersedia lagi.",
        "en": "Thank you! We will tell {contact} when this package is available again.",
    },
    "waitlist.bad_contact": {
        "id": "Tulis e-mail yang benar (nama@contoh.com) atau nomor WhatsApp (08… / +62…).",
        "en": "Enter a valid e-mail (name@example.com) or WhatsApp number (08… / +62…).",
    },
    "waitlist.too_many": {
        "id": "Terlalu banyak permintaan. Coba lagi beberapa menit lagi.",
        "en": "Too many requests. Please try again in a few minutes.",
    },
    "mail.back_in_stock.subject": {"id": "{package} tersedia lagi", "en": "{package} is available again"},
    "mail.back_in_stock.body": {
        "id": "Kabar baik: paket {package} tersedia lagi. Pesan sekarang sebelum habis lagi: {link}",
        "en": "Good news: the {package} package is available again. Order now before it sells out again: {link}",
    },
    "queue.position": {
        "id": "Posisi Anda di antrean: nomor {position}.",
        "en": "Your place in line: number {position}.",
    },
    "queue.refund_button": {"id": "Minta refund", "en": "Ask for a refund"},
    "queue.cancel": {"id": "Batal", "en": "Cancel"},
    "queue.refund_confirm": {
        "id": "Minta refund pesanan ini? Pemilik toko akan mengembalikan dana Anda.",
        "en": "Ask for a refund of this order? The shop owner will return your money.",
    },
    "queue.refund_requested": {
        "id": "Permintaan refund diterima ({date}). Pemilik toko akan mengembalikan dana Anda dan mengabari "
        "lewat e-mail.",
        "en": "Refund requested ({date}). The shop owner will return your money and tell you by e-mail.",
    },
    # checkout that converts, lookup by code, home (issue 19)
    "checkout.row_total": {"id": "Total {total}", "en": "Total {total}"},
    "checkout.group.E-Wallet": {"id": "E-wallet", "en": "E-wallet"},
    "checkout.group.Convenience Store": {"id": "Gerai retail", "en": "Convenience store"},
    "order.total": {"id": "Total bayar", "en": "Total to pay"},
    "order.fee_included": {
        "id": "Termasuk biaya {method} {fee}",
        "en": "Includes the {method} fee of {fee}",
    },
    "order.va_number": {"id": "Nomor Virtual Account", "en": "Virtual account number"},
    "order.retail_code": {"id": "Kode pembayaran", "en": "Payment code"},
    "order.pay_with": {"id": "Bayar dengan {name}", "en": "Pay with {name}"},
    "order.pay_steps": {"id": "Cara bayar", "en": "How to pay"},
    "order.save_qr": {"id": "Simpan QR", "en": "Save QR"},
    "order.qr_same_phone": {
        "id": "Bayar dari ponsel ini? Tekan Simpan QR, buka aplikasi e-wallet atau m-banking, pilih Bayar/Scan, "
        "lalu pilih gambar QR dari galeri.",
        "en": "Paying from this phone? Press Save QR, open your e-wallet or banking app, choose Pay/Scan, then "
        "pick the QR image from your gallery.",
    },
    "lookup.help_code": {
        "id": "Masukkan kode pesanan (contoh AG-…) dan e-mail atau nomor WhatsApp yang Anda pakai saat memesan.",
        "en": "Enter the order code (like AG-…) and the e-mail or WhatsApp number you ordered with.",
    },
    "lookup.code": {"id": "Kode pesanan", "en": "Order code"},
    "lookup.contact": {"id": "E-mail atau nomor WhatsApp", "en": "E-mail or WhatsApp number"},
    "lookup.open": {"id": "Buka pesanan", "en": "Open my order"},
    "lookup.no_match": {
        "id": "Kode pesanan dan e-mail/nomor WhatsApp itu tidak cocok dengan pesanan mana pun. Periksa lagi keduanya.",
        "en": "That order code and e-mail/WhatsApp number do not match an order. Check both again.",
    },
    "lookup.need_both": {
        "id": "Isi kode pesanan dan e-mail atau nomor WhatsApp.",
        "en": "Fill in the order code and the e-mail or WhatsApp number.",
    },
    "lookup.by_email": {
        "id": "Lupa kode pesanan? Kirim semua link pesanan ke e-mail Anda:",
        "en": "Forgot the order code? Send all your order links to your e-mail:",
    },
    "home.shared.title": {"id": "Apa itu akun bersama?", "en": "What is a shared account?"},
    "home.payments.title": {"id": "Metode pembayaran", "en": "Payment methods"},
    "home.shared.body": {
        "id": "Satu akun ChatGPT Plus dipakai bersama oleh beberapa pelanggan: setiap pesanan menempati satu kursi, "
        "dan jumlah kursi per akun dibatasi (biasanya 3–5 orang), jadi akun tidak pernah penuh sesak. "
        "Pada akun login bersama (e-mail dan kata sandi dari kami), riwayat chat bisa terlihat oleh pengguna lain "
        "di akun itu: jangan menulis data pribadi, dan hapus chat yang tidak ingin dilihat orang lain. "
        "Pada akun undangan workspace, Anda masuk dengan e-mail sendiri dan chat Anda tetap pribadi.",
        "en": "One ChatGPT Plus account is shared by a few customers: each order takes one seat, and the seats per "
        "account are limited (usually 3–5 people), so an account is never crowded. "
        "On a shared login (an e-mail and password from us), other users of that account can see the chat "
        "history: write nothing private, and delete chats others should not see. "
        "On a workspace invitation you sign in with your own e-mail and your chats stay private.",
    },
}


def t(key: str, lang: str = DEFAULT, **values: object) -> str:
    """The text for `key` in `lang` (falling back to Indonesian), with `{placeholders}` filled in."""
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT]
    return text.format(**values) if values else text


def language(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT


def format_idr(amount: int) -> str:
    """25000 -> 'Rp 25.000' (Indonesian thousands separator, no decimals)."""
    return "Rp " + f"{amount:,}".replace(",", ".")


def format_date(moment: datetime, lang: str = DEFAULT, with_time: bool = True) -> str:
    """'28 November 2026, 14.05 WIB' — in Jakarta time, Indonesian style."""
    local = moment.astimezone(WIB)
    text = f"{local.day} {MONTHS[language(lang)][local.month - 1]} {local.year}"
    return f"{text}, {local:%H.%M} WIB" if with_time else text
