"""Checking the audit chains: finds edited, inserted and deleted entries."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from edoc.audit.chain import GENESIS, entry_hash
from edoc.audit.models import AuditEntry, AuditHead


@dataclass
class ChainProblem:
    chain: int
    seq: int | None
    kind: str  # edited | inserted_or_reordered | missing | head_mismatch
    detail: str


@dataclass
class AuditReport:
    entries_checked: int = 0
    chains: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chains(session: Session, *, batch: int = 5000) -> AuditReport:
    report = AuditReport()
    heads = {h.chain: h for h in session.scalars(select(AuditHead))}
    chains = set(heads) | set(session.scalars(select(AuditEntry.chain).distinct()))
    for chain in sorted(chains):
        report.chains += 1
        expected_seq, prev = 1, GENESIS
        stmt = (select(AuditEntry).where(AuditEntry.chain == chain)
                .order_by(AuditEntry.seq).execution_options(yield_per=batch))
        for e in session.scalars(stmt):
            report.entries_checked += 1
            if e.seq != expected_seq:
                kind = "missing" if e.seq > expected_seq else "inserted_or_reordered"
                report.problems.append(ChainProblem(
                    chain, e.seq, kind, f"expected seq {expected_seq}, found {e.seq}"))
            if e.prev_hash != prev:
                report.problems.append(ChainProblem(
                    chain, e.seq, "inserted_or_reordered",
                    "prev_hash does not match the previous entry"))
            recomputed = entry_hash(
                chain=e.chain, seq=e.seq, at=e.at, actor_id=e.actor_id, actor_name=e.actor_name,
                action=e.action, object_type=e.object_type, object_id=e.object_id,
                details=e.details, prev_hash=e.prev_hash)
            if recomputed != e.entry_hash:
                report.problems.append(ChainProblem(
                    chain, e.seq, "edited", "content does not match its hash"))
            expected_seq, prev = e.seq + 1, e.entry_hash
        head = heads.get(chain)
        last_seq = expected_seq - 1
        if head is None:
            if last_seq:
                report.problems.append(ChainProblem(chain, None, "head_mismatch", "no head row"))
        elif head.seq != last_seq or head.entry_hash != prev:
            report.problems.append(ChainProblem(
                chain, head.seq, "missing" if head.seq > last_seq else "head_mismatch",
                f"head says seq {head.seq}, chain ends at {last_seq}"))
    return report
