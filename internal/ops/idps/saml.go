package idps

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/cognate-idp/cognate/internal/fetch"
)

// SAML 2.0 metadata names.
const (
	mdNS            = "urn:oasis:names:tc:SAML:2.0:metadata"
	dsNS            = "http://www.w3.org/2000/09/xmldsig#"
	redirectBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
)

type entitiesDescriptor struct {
	Entities []entityDescriptor `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
}

type entityDescriptor struct {
	EntityID string             `xml:"entityID,attr"`
	IDPSSO   []idpSSODescriptor `xml:"urn:oasis:names:tc:SAML:2.0:metadata IDPSSODescriptor"`
}

type idpSSODescriptor struct {
	Keys []keyDescriptor `xml:"urn:oasis:names:tc:SAML:2.0:metadata KeyDescriptor"`
	SSO  []samlEndpoint  `xml:"urn:oasis:names:tc:SAML:2.0:metadata SingleSignOnService"`
	SLO  []samlEndpoint  `xml:"urn:oasis:names:tc:SAML:2.0:metadata SingleLogoutService"`
}

type keyDescriptor struct {
	Use     string  `xml:"use,attr"`
	KeyInfo keyInfo `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo"`
}

type keyInfo struct {
	X509Data []x509Data `xml:"http://www.w3.org/2000/09/xmldsig# X509Data"`
}

type x509Data struct {
	Certificates []string `xml:"http://www.w3.org/2000/09/xmldsig# X509Certificate"`
}

type samlEndpoint struct {
	Binding  string `xml:"Binding,attr"`
	Location string `xml:"Location,attr"`
}

// Metadata is what Cognate takes from a SAML IdP's metadata.
type Metadata struct {
	// EntityID is the IdP's entity ID: the issuer of its assertions.
	EntityID string
	// SSORedirect and SLORedirect are the locations of its single sign-on
	// and single logout services with the HTTP-Redirect binding (SLORedirect
	// is empty when it has none).
	SSORedirect, SLORedirect string
	// Certificates are its signing certificates.
	Certificates []*x509.Certificate
}

// errMetadata is the error of metadata that cannot be used, with why.
func errMetadata(why string) error { return invalid("Unable to unmarshall metadata: %s", why) }

// ParseMetadata reads SAML 2.0 metadata: an EntityDescriptor with an
// IDPSSODescriptor (or an EntitiesDescriptor holding one) that has a single
// sign-on service with the HTTP-Redirect binding and a signing certificate.
// It returns Cognito's InvalidParameterException for anything else.
func ParseMetadata(doc []byte) (*Metadata, error) {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var root xml.StartElement
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil, errMetadata("the document has no root element.")
		}
		if err != nil {
			return nil, errMetadata("the document is not well-formed XML.")
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	var entities []entityDescriptor
	switch {
	case root.Name.Space == mdNS && root.Name.Local == "EntityDescriptor":
		var e entityDescriptor
		if err := dec.DecodeElement(&e, &root); err != nil {
			return nil, errMetadata("the document is not well-formed XML.")
		}
		entities = append(entities, e)
	case root.Name.Space == mdNS && root.Name.Local == "EntitiesDescriptor":
		var es entitiesDescriptor
		if err := dec.DecodeElement(&es, &root); err != nil {
			return nil, errMetadata("the document is not well-formed XML.")
		}
		entities = es.Entities
	default:
		return nil, errMetadata("the root element must be a SAML 2.0 metadata EntityDescriptor.")
	}
	var entity *entityDescriptor
	for i := range entities {
		if len(entities[i].IDPSSO) > 0 {
			entity = &entities[i]
			break
		}
	}
	if entity == nil {
		return nil, errMetadata("no IDPSSODescriptor found in metadata.")
	}
	if strings.TrimSpace(entity.EntityID) == "" {
		return nil, errMetadata("the EntityDescriptor has no entityID.")
	}
	md := &Metadata{EntityID: strings.TrimSpace(entity.EntityID)}
	idp := entity.IDPSSO[0]
	for _, e := range idp.SSO {
		if e.Binding == redirectBinding && md.SSORedirect == "" {
			md.SSORedirect = e.Location
		}
	}
	for _, e := range idp.SLO {
		if e.Binding == redirectBinding && md.SLORedirect == "" {
			md.SLORedirect = e.Location
		}
	}
	if md.SSORedirect == "" {
		return nil, errMetadata("No SingleSignOn Http redirect binding location found in metadata.")
	}
	for _, k := range idp.Keys {
		if k.Use != "" && k.Use != "signing" {
			continue
		}
		for _, d := range k.KeyInfo.X509Data {
			for _, c := range d.Certificates {
				der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c), ""))
				if err != nil {
					return nil, errMetadata("an X509Certificate is not base64.")
				}
				cert, err := x509.ParseCertificate(der)
				if err != nil {
					return nil, errMetadata("an X509Certificate is not a certificate.")
				}
				md.Certificates = append(md.Certificates, cert)
			}
		}
	}
	if len(md.Certificates) == 0 {
		return nil, errMetadata("no signing certificate found in metadata.")
	}
	return md, nil
}

// samlFlags are the SAML details that hold "true" or "false".
var samlFlags = []string{"IDPSignout", "IDPInit", "EncryptedResponses"}

// completeSAML checks a SAML provider's details, reads its metadata (from
// MetadataFile, or fetched from MetadataURL), and fills in the single
// sign-on URLs Describe shows.
func (s *Service) completeSAML(ctx context.Context, out *normalized) error {
	d := out.details
	file, url := d["MetadataFile"], d["MetadataURL"]
	switch {
	case file == "" && url == "":
		return invalid("At least one of the MetadataURL or MetadataFile should be provided.")
	case file != "" && url != "":
		return invalid("Only one of MetadataURL or MetadataFile can be provided.")
	}
	for _, k := range samlFlags {
		if v, ok := d[k]; ok && v != "true" && v != "false" {
			return invalid("Invalid %s %s: it must be true or false.", k, v)
		}
	}
	if v, ok := d["RequestSigningAlgorithm"]; ok && v != "rsa-sha256" {
		return invalid("Invalid RequestSigningAlgorithm %s: the only one supported is rsa-sha256.", v)
	}
	doc := []byte(file)
	if url != "" {
		var err error
		if doc, err = s.Fetch.Get(ctx, url); err != nil {
			var se *fetch.StatusError
			if errors.As(err, &se) {
				return invalid("Non-ok status code %d returned from remote metadata source %s", se.Code, url)
			}
			return invalid("Unable to retrieve metadata from remote metadata source %s: %s", url, urlProblem(err))
		}
		out.metadata = string(doc)
	}
	md, err := ParseMetadata(doc)
	if err != nil {
		return err
	}
	out.issuer = md.EntityID
	d["SSORedirectBindingURI"] = md.SSORedirect
	if md.SLORedirect != "" {
		d["SLORedirectBindingURI"] = md.SLORedirect
	}
	return nil
}
