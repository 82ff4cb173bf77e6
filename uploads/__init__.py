"""Private uploaded files for every app: type judged from content against an allow-list, sizes
capped, zip containers (DOCX, XLSX) checked against zip bombs, stored under random keys outside
any public URL, and served only through a view that has checked permission."""
