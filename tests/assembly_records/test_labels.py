"""Every audit action the records app writes is named in words (audit.labels)."""

import re
from pathlib import Path

from assemblies.records.models import Opinion
from audit.labels import audit_label

SERVICES = Path(__file__).resolve().parents[2] / "assemblies" / "records" / "services.py"


def test_every_action_written_by_the_services_has_a_label():
    source = "\n".join(line for line in SERVICES.read_text().splitlines() if "action=" in line)
    actions = set(
        re.findall(r'"(assembly\.(?:attendance|minutes|decision|opinion)\.[a-z_]+)"', source)
    )
    actions |= {f"{Opinion.machine.audit_prefix}.{t.name}" for t in Opinion.machine}
    assert len(actions) >= 8
    assert [a for a in actions if audit_label(a) == a] == []
