"""Who may put a candidate forward, as the policy says (recommendation in the policy file).

- A route the policy excludes in words (聊城 三: 推荐工作以县（市、区）、市直部门及市直大企业为单位进行),
  or does not offer, is refused at intake with its article.
- A recommending unit is of a kind the policy names (unit_types: county bureau, city department,
  industry association, enterprise …), may be only the kinds of organisation the type allows, and
  nominates only from its own area (its jurisdiction, places below counted) or its own staff
  (current employment in the registry), as its type says.

The services (start, save_draft, forward; rounds.set_unit) call these, so the pages, the API and
the commands refuse the same way.
"""
from gongjiang.core.errors import DomainError, NotAllowed
from gongjiang.policy.render import ROUTE_LABELS
from gongjiang.rounds import policy_link

# The application's route -> the policy's route kinds it may stand for.
ROUTE_KINDS = {"self": ("self",), "employer": ("employer", "recommending_unit", "competition_winner"),
               "unit": ("employer", "recommending_unit", "competition_winner"),
               "competition": ("competition_winner",)}


def _recommendation(rnd):
    return policy_link.parsed_on(rnd.policy, rnd.reference_date).recommendation


def route_refusal(rnd, route: str) -> str:
    """Why the policy refuses `route` at intake, with its article ("" when it accepts it)."""
    rec = _recommendation(rnd)
    kinds = ROUTE_KINDS.get(route, ())
    for x in rec.excluded:
        if x.kind in kinds and not any(r.kind in kinds for r in rec.routes):
            return f"本批次不受理{ROUTE_LABELS[x.kind]}：{x.text}（{x.article}）"
    offered = (rnd.allows_self_application if route == "self"
               else rnd.allows_employer_nomination if route in ("employer", "unit") else True)
    if offered:
        return ""
    ways = "；".join(f"{ROUTE_LABELS[r.kind]}（{r.article}）" for r in rec.routes)
    return f"本批次不受理{'个人自荐' if route == 'self' else '单位推荐'}，本政策的申报途径为：{ways}"


def unit_type(rnd, kind: str):
    """The policy's recommending-unit type `kind`, or None where the policy names no unit types."""
    return next((u for u in _recommendation(rnd).unit_types if u.code == kind), None)


def organisation_refusal(rnd, kind: str, organisation) -> str:
    """Why `organisation` cannot be a recommending unit of type `kind` ("" when it can)."""
    ut = unit_type(rnd, kind)
    if ut is None or not ut.organisations or organisation.kind in ut.organisations:
        return ""
    return f"{organisation}不属于政策规定的“{ut.name}”（{ut.article}），不能作为该类推荐单位"


def area_of(organisation):
    """A unit's area: the jurisdiction it is or belongs to (a county bureau's county)."""
    return organisation if organisation.is_jurisdiction else organisation.jurisdiction()


def _workplaces(application) -> list:
    """Where the candidate works now: the registry's current employment, else the application's
    employer, else (no employer on record) the person's own jurisdiction."""
    person = application.person if application.person_id else None
    if person is not None:
        current = [e.employer for e in person.employments.filter(end__isnull=True).select_related("employer")]
        if current:
            return current
    if application.employer_id:
        return [application.employer]
    return [person.jurisdiction] if person is not None else []


def nominee_refusal(unit, application) -> str:
    """Why `unit` may not nominate the applicant of `application` ("" when it may)."""
    ut = unit_type(unit.round, unit.kind)
    if ut is None:
        return ""
    org = unit.organisation
    places = _workplaces(application)
    if ut.nominates == "staff":
        person = application.person if application.person_id else None
        staff = person is not None and person.employments.filter(end__isnull=True,
                                                                 employer__path__startswith=org.path).exists()
        if staff:
            return ""
        return (f"{org}只能推荐本单位在职人员（{ut.name}，{ut.article}），"
                f"人才库显示{application.name}目前不在本单位工作")
    area = area_of(org)
    if area is not None and any(p is not None and area.contains(p) for p in places):
        return ""
    return (f"{org}只能推荐本地区（{area or org}及所辖地区）的人选（{ut.name}，{ut.article}），"
            f"{application.name}的工作单位不在本地区")


def require_nominee(unit, application) -> None:
    refusal = nominee_refusal(unit, application)
    if refusal:
        raise NotAllowed(refusal, log=f"unit {unit.pk} ({unit.kind}) may not nominate application {application.pk}")


def require_route(rnd, route: str) -> None:
    refusal = route_refusal(rnd, route)
    if refusal:
        raise DomainError(refusal, log=f"route {route} refused by the policy")
