"""The assemblies' formal opinions, as the claims app sees them (`proposals.opinions`)."""

from django.utils.translation import gettext as _

from core.notify import notify


class AssemblyOpinions:
    """Registered in `RecordsConfig.ready()`."""

    def adopted(self, claim) -> list:
        from assemblies.records.models import Opinion

        return list(
            Opinion.objects.filter(claim=claim, state=Opinion.State.ADOPTED).select_related(
                "assembly", "motion__meeting"
            )
        )

    def claim_decided(self, claim, actor) -> None:
        """Tell the coordinators of each assembly that gave an opinion what the city decided."""
        for opinion in self.adopted(claim):
            url = opinion.get_absolute_url()

            def message(claim=claim):
                text = (
                    _("The city approved “%(title)s”, on which your assembly gave an opinion.")
                    if claim.is_approved
                    else _("The city rejected “%(title)s”, on which your assembly gave an opinion.")
                )
                return text % {"title": claim.title}

            notify(
                opinion.assembly.coordinators(),
                verb="assembly.opinion.answered",
                url=url,
                message=message,
            )


assembly_opinions = AssemblyOpinions()
