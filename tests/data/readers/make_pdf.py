"""Make two_pages.pdf, the PDF fixture of tests/test_readers.py (sentences written for the project).

Run once with fpdf2 and the WenQuanYi Micro Hei font (Debian fonts-wqy-microhei); the PDF is committed,
so the tests need neither.
"""

from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF

pdf = FPDF()
pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=timezone.utc))
pdf.add_font("wqy", fname="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", collection_font_number=0)
pdf.set_font("wqy", size=12)
pdf.add_page()
pdf.multi_cell(0, 8, "乌审旗图克镇召开帮扶工作会议。\n各单位汇报了近期进展。")
pdf.add_page()
pdf.multi_cell(0, 8, "鄂尔多斯市住建局帮扶乌兰什巴台村。")
pdf.output(str(Path(__file__).with_name("two_pages.pdf")))
