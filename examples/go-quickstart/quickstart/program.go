// Package quickstart is the quickstart as a Pulumi program: a custom purpose and a vendor using
// it, a notice's draft listing that vendor, its deployment, a privacy widget's deployment, and
// the draft read back. main.go runs it under `pulumi up`;
// driver/ runs it inline through the Automation API.
package quickstart

import (
	"github.com/pulumi-didomi/pulumi-didomi/sdk/go/didomi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// Program declares the stack's resources and exports its outputs.
//
// Stack config: `notice` (a notice id), `widget` (a privacy widget id), `consentDuration`
// (months, default 6); provider config `didomi:apiKey`, `didomi:apiSecret` (secret),
// `didomi:organizationId` (or the DIDOMI_* environment variables).
func Program(ctx *pulumi.Context) error {
	conf := config.New(ctx, "")
	duration := 6
	if d, err := conf.TryInt("consentDuration"); err == nil {
		duration = d
	}
	// A purpose of the organization, in two languages, and a vendor processing data for it.
	analytics, err := didomi.NewPurpose(ctx, "analytics", &didomi.PurposeArgs{
		Description: pulumi.Map{"en": pulumi.String("Audience measurement"), "fr": pulumi.String("Mesure d'audience")},
		Details:     pulumi.Map{"en": pulumi.String("We count visits."), "fr": pulumi.String("Nous comptons les visites.")},
	})
	if err != nil {
		return err
	}
	tracker, err := didomi.NewVendor(ctx, "tracker", &didomi.VendorArgs{
		Name:            pulumi.String("Example Tracker"),
		CategoryId:      pulumi.String("analytics"),
		Website:         pulumi.String("https://tracker.example/privacy"),
		DefaultPurposes: pulumi.StringArray{analytics.ID()},
		Storages: didomi.VendorStorageArray{
			didomi.VendorStorageArgs{
				Type:       didomi.StorageTypeCookie,
				Identifier: pulumi.String("_trk"),
				Domain:     pulumi.String(".tracker.example"),
				MaxAge:     pulumi.Float64(13),
				MaxAgeUnit: didomi.DurationUnitMonths,
				Purposes:   pulumi.StringArray{analytics.ID()},
			},
		},
	})
	if err != nil {
		return err
	}
	banner, err := didomi.NewNoticeDraftConfig(ctx, "banner", &didomi.NoticeDraftConfigArgs{
		NoticeId:        pulumi.String(conf.Require("notice")),
		Platform:        didomi.PlatformWeb,
		ConsentDuration: pulumi.Int(duration),
		// The notice lists the vendor by its id (ordered by the engine: the vendor first).
		Config: pulumi.Map{"app": pulumi.Map{"vendors": pulumi.Map{"include": pulumi.Array{tracker.ID()}}}},
		RegulationConfigurations: didomi.RegulationConfigurationArray{
			didomi.RegulationConfigurationArgs{
				RegulationId:              pulumi.String("gdpr"),
				IsDefaultRegulationConfig: pulumi.Bool(true),
			},
		},
	})
	if err != nil {
		return err
	}
	// Publishes the draft's reviewed content (its `publication`), once per revision.
	release, err := didomi.NewNoticeDeployment(ctx, "release", &didomi.NoticeDeploymentArgs{
		Draft:   banner.Publication,
		Message: pulumi.String("from the Go quickstart"),
	})
	if err != nil {
		return err
	}
	widget, err := didomi.NewWidgetDeployment(ctx, "privacy-center", &didomi.WidgetDeploymentArgs{
		WidgetId: pulumi.String(conf.Require("widget")),
	})
	if err != nil {
		return err
	}
	ctx.Export("purposeId", analytics.ID())
	ctx.Export("vendorId", tracker.ID())
	ctx.Export("revision", banner.Revision)
	ctx.Export("deploymentId", release.DeploymentId)
	ctx.Export("widgetDeploymentId", widget.DeploymentId)
	// An invoke reads Didomi every time it runs: only in updates, so that a preview calls no API.
	if !ctx.DryRun() {
		draft := didomi.GetNoticeDraftOutput(ctx, didomi.GetNoticeDraftOutputArgs{
			NoticeId: banner.NoticeId,
		}, pulumi.DependsOn([]pulumi.Resource{release}))
		ctx.Export("draftConsentDuration", draft.Values().MapIndex(pulumi.String("consent_duration")))
	}
	return nil
}
