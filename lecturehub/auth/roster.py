"""Bulk import of users from the 党政办's roster (CSV or XLSX), with a per-row report."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from openpyxl import load_workbook

from lecturehub.auth import services
from lecturehub.core.errors import ServiceError
from lecturehub.core.security import ROLES
from lecturehub.extensions import db

# Accepted column headings (Chinese or English) → field.
HEADINGS = {
    "登录名": "login",
    "账号": "login",
    "用户名": "login",
    "login": "login",
    "姓名": "name",
    "name": "name",
    "部门": "department",
    "单位": "department",
    "department": "department",
    "角色": "roles",
    "roles": "roles",
    "role": "roles",
    "职务": "title",
    "title": "title",
    "手机": "phone",
    "电话": "phone",
    "phone": "phone",
    "邮箱": "email",
    "电子邮箱": "email",
    "电子邮件": "email",
    "email": "email",
    "e-mail": "email",
    "密码": "password",
    "初始密码": "password",
    "password": "password",
}
ROLE_NAMES = {label: code for code, label in ROLES.items()} | {
    "管理员": "admin",
    "党政办": "admin",
    "督查": "inspector",
    "组织办": "organiser",
    "牵头领导": "leader",
    "干部": "member",
    "成员": "member",
}
MAX_ROWS = 2000


@dataclass
class RowResult:
    row: int
    login: str
    name: str
    ok: bool
    message: str
    password: str | None = None


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.ok)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if not r.ok)


def _read_rows(data: bytes, filename: str) -> list[list[str]]:
    if data[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as exc:
            raise ServiceError("无法读取 Excel 文件，请确认是 .xlsx 格式。", "bad_roster") from exc
        return [
            ["" if c is None else str(c).strip() for c in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ServiceError("无法识别 CSV 文件的编码（请用 UTF-8 或 GBK）。", "bad_roster")
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def _columns(header: list[str]) -> dict[int, str]:
    columns = {
        i: HEADINGS[h.strip().lower() if h.isascii() else h.strip()]
        for i, h in enumerate(header)
        if (h.strip().lower() if h.isascii() else h.strip()) in HEADINGS
    }
    if not {"login", "name"} <= set(columns.values()):
        raise ServiceError("表头需要包含“登录名”和“姓名”两列。", "bad_roster")
    return columns


def _parse_roles(text: str) -> list[str]:
    roles = []
    for part in text.replace("，", ",").replace("、", ",").replace(";", ",").split(","):
        part = part.strip()
        if part:
            roles.append(ROLE_NAMES.get(part, part))
    return roles


def _import_row(number: int, values: dict[str, str]) -> RowResult:
    login, name = values.get("login", ""), values.get("name", "")
    department = None
    if values.get("department"):
        department = services.department_by_name(values["department"])
        if department is None:
            return RowResult(number, login, name, False, f"部门“{values['department']}”不存在。")
    try:
        email = services.clean_email(values.get("email"))
        details = services.UserDetails(
            name, _parse_roles(values.get("roles", "")), department, values.get("title", "")
        )
        user, generated = services.create_user(
            login, details, values.get("password") or None, commit=False
        )
        user.phone, user.email = values.get("phone", ""), email
        db.session.flush()
    except ServiceError as exc:
        return RowResult(number, login, name, False, exc.message)
    return RowResult(number, login, name, True, "已导入", generated)


def import_roster(data: bytes, filename: str = "", dry_run: bool = False) -> ImportReport:
    """Create a user per valid row; bad rows are reported and change nothing."""
    rows = [r for r in _read_rows(data, filename) if any(r)]
    if not rows:
        raise ServiceError("文件中没有数据。", "bad_roster")
    if len(rows) > MAX_ROWS:
        raise ServiceError(f"一次最多导入 {MAX_ROWS} 行。", "bad_roster")
    columns = _columns(rows[0])
    report = ImportReport()
    for number, row in enumerate(rows[1:], start=2):
        values = {columns[i]: v for i, v in enumerate(row) if i in columns}
        # create_user validates before it adds anything, so a bad row leaves no trace.
        report.rows.append(_import_row(number, values))
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report
