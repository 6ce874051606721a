"""Register books (sổ đăng ký văn bản): :mod:`edoc.registers.export` prints them (XLSX, PDF)."""
