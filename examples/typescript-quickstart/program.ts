// The quickstart as a Pulumi program: a custom purpose and a vendor using it, a notice's draft
// listing that vendor, its deployment, a privacy widget's deployment, and the draft read back. index.ts runs it under `pulumi up`; driver.ts runs it
// inline through the Automation API.
import * as pulumi from "@pulumi/pulumi";
import * as didomi from "@pulumi-didomi/didomi";

/**
 * Declares the stack's resources; returns its outputs.
 *
 * Stack config: `notice` (a notice id), `widget` (a privacy widget id), `consentDuration`
 * (months, default 6); provider config `didomi:apiKey`, `didomi:apiSecret` (secret),
 * `didomi:organizationId` (or the DIDOMI_* environment variables).
 */
export async function program(): Promise<Record<string, unknown>> {
    const config = new pulumi.Config();
    // A purpose of the organization, in two languages, and a vendor processing data for it.
    const analytics = new didomi.Purpose("analytics", {
        description: { en: "Audience measurement", fr: "Mesure d'audience" },
        details: { en: "We count visits.", fr: "Nous comptons les visites." },
    });
    const tracker = new didomi.Vendor("tracker", {
        name: "Example Tracker",
        categoryId: "analytics",
        website: "https://tracker.example/privacy",
        defaultPurposes: [analytics.id],
        storages: [
            {
                type: "cookie",
                identifier: "_trk",
                domain: ".tracker.example",
                maxAge: 13,
                maxAgeUnit: "months",
                purposes: [analytics.id],
            },
        ],
    });
    const banner = new didomi.NoticeDraftConfig("banner", {
        noticeId: config.require("notice"),
        platform: "web",
        consentDuration: config.getNumber("consentDuration") ?? 6,
        // The notice lists the vendor by its id (ordered by the engine: the vendor first).
        config: { app: { vendors: { include: [tracker.id] } } },
        regulationConfigurations: [{ regulationId: "gdpr", isDefaultRegulationConfig: true }],
    });
    // Publishes the draft's reviewed content (its `publication`), once per revision.
    const release = new didomi.NoticeDeployment("release", {
        draft: banner.publication,
        message: "from the TypeScript quickstart",
    });
    const widget = new didomi.WidgetDeployment("privacy-center", {
        widgetId: config.require("widget"),
    });
    const outputs: Record<string, unknown> = {
        purposeId: analytics.id,
        vendorId: tracker.id,
        revision: banner.revision,
        deploymentId: release.deploymentId,
        widgetDeploymentId: widget.deploymentId,
    };
    // An invoke reads Didomi every time it runs: only in updates, so that a preview calls no API.
    if (!pulumi.runtime.isDryRun()) {
        const draft = didomi.getNoticeDraftOutput({ noticeId: banner.noticeId }, { dependsOn: [release] });
        outputs.draftConsentDuration = draft.values.apply((values) => values["consent_duration"]);
    }
    return outputs;
}
