"""Attendance (签到, 请假, 备案, 督查): sign-in by rotating QR code, roll call, leave asked of
the lead leader, medical exemptions, and the computed record with the 评先评优 flag."""
